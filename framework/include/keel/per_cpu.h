// Per-CPU variables: one copy of T for each CPU, so that each CPU works on its own without a
// lock. A task reaches its CPU's copy only inside with_local(), which keeps it on that CPU (with
// interrupts masked, so neither preemption nor an interrupt handler on the same CPU can interleave
// with it); keep the function short. Another CPU's copy is there to be summed up or inspected:
// the caller decides what synchronization that needs (atomics, or a lock inside T).
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/utility.h>

namespace keel {

inline constexpr u32 max_cpus = 64;

// How many CPUs are online now (they never go offline).
u32 online_cpu_count();

// Holds the running task on its CPU while it lives (interrupts masked), and says which CPU
// that is.
class [[nodiscard]] CpuPin {
public:
    CpuPin();
    ~CpuPin();
    CpuPin(const CpuPin&) = delete;
    CpuPin& operator=(const CpuPin&) = delete;

    u32 cpu() const { return cpu_; }

private:
    u64 saved_;
    u32 cpu_;
};

template <typename T>
class PerCpu {
public:
    constexpr PerCpu() = default;
    PerCpu(const PerCpu&) = delete;
    PerCpu& operator=(const PerCpu&) = delete;

    // fn(this CPU's copy), while the task cannot move; returns what fn returns.
    template <typename Fn>
    decltype(auto) with_local(Fn&& fn) {
        CpuPin pin;
        return fn(copies_[pin.cpu()]);
    }

    // Another CPU's copy (cpu < max_cpus: the index is checked). Framework only, as is
    // for_each_online: that CPU may be changing its copy right now, and only the caller knows
    // whether T is safe to read or write concurrently (atomics, or a lock inside T); safe code
    // cannot show the compiler that it is, so it reaches its own copy through with_local alone.
    [[clang::annotate("keel::framework_only")]] T& on(u32 cpu) { return copies_[cpu]; }
    [[clang::annotate("keel::framework_only")]] const T& on(u32 cpu) const { return copies_[cpu]; }

    // fn(cpu, copy) for each online CPU's copy.
    template <typename Fn>
    [[clang::annotate("keel::framework_only")]] void for_each_online(Fn&& fn) {
        u32 count = online_cpu_count();
        for (u32 cpu = 0; cpu < count; ++cpu) {
            fn(cpu, copies_[cpu]);
        }
    }

private:
    Array<T, max_cpus> copies_{};
};

} // namespace keel
