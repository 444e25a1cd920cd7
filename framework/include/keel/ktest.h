// ktest: in-kernel tests, declared in any layer and collected through the `ktest_cases` linker
// section. The command-line word `ktest` (or `ktest=FILTER`, substrings of "suite.name"
// separated by commas) runs them; each prints one line and the run closes with `ktest: N passed, M
// failed`.
//
//   KTEST(memory_map, regions_are_sorted) {
//       KEXPECT(...);
//       KEXPECT_EQ(a, b);
//   }
#pragma once

#include <keel/clock.h>
#include <keel/ktl/atomic.h>
#include <keel/ktl/format.h>
#include <keel/timer.h>

namespace keel::ktest {

struct Case {
    const char* suite;
    const char* name;
    void (*body)();
    // Runs only when the filter names it exactly, one boot per case, because it ends the kernel
    // on purpose (KTEST_FATAL: a fault report, a panic) or needs what ./keel test feeds it
    // (KTEST_ALONE: typed console input); ./keel test checks what it printed.
    bool alone = false;
};

// Ends the point of the running case early for a reason outside the kernel (no such device
// on this machine): printed, and counted as passed unless something failed before. The case
// must return after calling it.
void skip(StringView reason);

// How late an event may come before a case calls it lost: every "it arrives" wait is bounded by
// this (a wait returns as soon as the event is there, so only a failure costs the time). QEMU's
// TCG on a loaded host stalls the whole guest now and then, for tens or hundreds of
// milliseconds, and its clocks jump over the stall; so cases check "never early" exactly, "not
// lost" with this bound, and wait for a condition, not for a time. Latency is what benchmarks
// measure, not tests.
inline constexpr u64 lost_after_ns = u64{2} * 1000 * 1000 * 1000;

// Idles (wait_for_interrupt) until done() holds or limit_ns passed, and says whether done()
// holds: a waiter for interrupts that come on their own. A timer bounds every wait, so a lost
// interrupt fails the case instead of hanging it.
template <typename Done>
bool idle_until(Done&& done, u64 limit_ns = lost_after_ns) {
    struct Bound final : TimerCallback {
        void on_timer() override { rang.store(true, MemoryOrder::relaxed); }
        Atomic<bool> rang;
    } bound;
    Timer timer;
    if (timer.arm(clock::monotonic_ns() + limit_ns, bound).is_error()) {
        return done();
    }
    while (!done() && !bound.rang.load(MemoryOrder::relaxed)) {
        wait_for_interrupt();
    }
    return done();
}

// Records a failure of the running case; the message goes to the log with file and line.
void record_failure(StringView what, const char* file, int line);
void record_failure_values(StringView expr, StringView lhs, StringView rhs, const char* file,
                           int line);

// Runs every case whose "suite.name" contains filter (all when empty); returns the failures.
usize run_all(StringView filter);

template <typename A, typename B>
bool expect_eq(const A& a, const B& b, StringView expr, const char* file, int line) {
    if (a == b) {
        return true;
    }
    FixedString<64> lhs;
    FixedString<64> rhs;
    format(lhs, "{}", a);
    format(rhs, "{}", b);
    record_failure_values(expr, lhs.view(), rhs.view(), file, line);
    return false;
}

} // namespace keel::ktest

#define KEEL_KTEST_CONCAT2(a, b) a##b
#define KEEL_KTEST_CONCAT(a, b) KEEL_KTEST_CONCAT2(a, b)

#define KTEST(suite, name)                                                                         \
    static void ktest_body_##suite##_##name();                                                     \
    [[gnu::used, gnu::section("ktest_cases"),                                                      \
      gnu::aligned(8)]] static constexpr ::keel::ktest::Case ktest_case_##suite##_##name{          \
        #suite, #name, &ktest_body_##suite##_##name};                                              \
    static void ktest_body_##suite##_##name()

#define KTEST_FATAL(suite, name)                                                                   \
    static void ktest_body_##suite##_##name();                                                     \
    [[gnu::used, gnu::section("ktest_cases"),                                                      \
      gnu::aligned(8)]] static constexpr ::keel::ktest::Case ktest_case_##suite##_##name{          \
        #suite, #name, &ktest_body_##suite##_##name, true};                                        \
    static void ktest_body_##suite##_##name()

#define KTEST_ALONE(suite, name) KTEST_FATAL(suite, name)

#define KEXPECT(condition)                                                                         \
    ((condition) ? true : (::keel::ktest::record_failure(#condition, __FILE__, __LINE__), false))

#define KEXPECT_EQ(a, b) ::keel::ktest::expect_eq((a), (b), #a " == " #b, __FILE__, __LINE__)

// Like KEXPECT, but ends the test case on failure (for checks later lines depend on).
#define KASSERT(condition)                                                                         \
    do {                                                                                           \
        if (!KEXPECT(condition)) {                                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)
