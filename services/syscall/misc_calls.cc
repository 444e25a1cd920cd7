// uname, getrandom, the clocks and sleeping.
#include <keel/task.h>

#include "linux_abi.h"
#include "services/proc/system.h"
#include "services/proc/user_memory.h"
#include "services/syscall/handlers.h"

namespace keel::syscall {

namespace {

proc::UserMemory user(proc::Process& p) { return proc::UserMemory(p.mm()); }

constexpr u64 ns_per_s = 1000000000;

enum : u64 {
    clock_realtime = 0,
    clock_monotonic = 1,
    clock_process_cputime = 2,
    clock_thread_cputime = 3,
    clock_monotonic_raw = 4,
    clock_realtime_coarse = 5,
    clock_monotonic_coarse = 6,
    clock_boottime = 7,
};

// Nanoseconds on a clock; EINVAL for clocks Linux does not have (or that need timers).
Result<u64> clock_now(proc::Process& p, u64 clock) {
    u64 now = clock::monotonic_ns();
    switch (clock) {
    case clock_realtime:
    case clock_realtime_coarse:
        return p.system.boot_wall_ns + now;
    case clock_monotonic:
    case clock_monotonic_raw:
    case clock_monotonic_coarse:
    case clock_boottime:
    // No per-process CPU accounting yet: the CPU-time clocks run with the monotonic one, which
    // bounds them from above.
    case clock_process_cputime:
    case clock_thread_cputime:
        return now;
    default:
        return Errno::einval;
    }
}

Result<void> put_timespec(proc::Process& p, uptr to, u64 ns) {
    TRY(user(p).write_value<u64>(to, ns / ns_per_s));
    return user(p).write_value<u64>(to + 8, ns % ns_per_s);
}

// A timespec argument: tv_nsec in [0, 1e9) and tv_sec >= 0, else EINVAL.
Result<u64> get_timespec(proc::Process& p, uptr from) {
    i64 seconds = static_cast<i64>(TRY(user(p).read_value<u64>(from)));
    i64 nanos = static_cast<i64>(TRY(user(p).read_value<u64>(from + 8)));
    if (seconds < 0 || nanos < 0 || nanos >= static_cast<i64>(ns_per_s)) {
        return Errno::einval;
    }
    u64 total = 0;
    if (__builtin_mul_overflow(static_cast<u64>(seconds), ns_per_s, &total) ||
        __builtin_add_overflow(total, static_cast<u64>(nanos), &total)) {
        return ~u64{0};
    }
    return total;
}

} // namespace

Result<u64> sys_uname(proc::Process& p, const Args& a) {
    // struct utsname: six fields of 65 bytes each.
    Array<u8, 6 * 65> uts{};
    const Array<StringView, 6> fields{
        {"Linux", "keel", "6.1.0-keel", "#1 SMP Keel", abi::uname_machine, "(none)"}};
    for (usize f = 0; f < fields.size(); ++f) {
        Bytes text = fields[f].bytes();
        for (usize i = 0; i < text.size() && i < 64; ++i) {
            uts[f * 65 + i] = text[i];
        }
    }
    TRY(user(p).write(a[0], Bytes(uts.span())));
    return u64{0};
}

Result<u64> sys_getrandom(proc::Process& p, const Args& a) {
    constexpr u64 grnd_known = 1 | 2 | 4; // NONBLOCK, RANDOM, INSECURE
    if ((a[2] & ~grnd_known) != 0 || (a[2] & 6) == 6) {
        return Errno::einval;
    }
    // Linux caps one call at 32 MiB minus a page; the generator is always seeded here.
    usize count = min<u64>(a[1], (u64{32} << 20) - page_size);
    Array<u8, 256> chunk{};
    for (usize done = 0; done < count;) {
        usize n = min<usize>(chunk.size(), count - done);
        random::fill(chunk.span().first(n));
        Result<void> copied = user(p).write(a[0] + done, Bytes(chunk.span()).first(n));
        if (copied.is_error()) {
            return done > 0 ? Result<u64>(done) : copied.error();
        }
        done += n;
    }
    return count;
}

Result<u64> sys_clock_gettime(proc::Process& p, const Args& a) {
    u64 ns = TRY(clock_now(p, a[0]));
    TRY(put_timespec(p, a[1], ns));
    return u64{0};
}

Result<u64> sys_clock_getres(proc::Process& p, const Args& a) {
    TRY(clock_now(p, a[0]));
    if (a[1] != 0) {
        TRY(put_timespec(p, a[1], 1));
    }
    return u64{0};
}

Result<u64> sys_gettimeofday(proc::Process& p, const Args& a) {
    u64 ns = p.system.boot_wall_ns + clock::monotonic_ns();
    if (a[0] != 0) {
        TRY(user(p).write_value<u64>(a[0], ns / ns_per_s));
        TRY(user(p).write_value<u64>(a[0] + 8, (ns % ns_per_s) / 1000));
    }
    if (a[1] != 0) {
        TRY(user(p).write_value<u64>(a[1], 0)); // struct timezone: UTC
    }
    return u64{0};
}

Result<u64> sys_nanosleep(proc::Process& p, const Args& a) {
    u64 ns = TRY(get_timespec(p, a[0]));
    this_task::sleep_for(ns);
    return u64{0}; // no signals yet, so never interrupted: *rem is left alone
}

Result<u64> sys_clock_nanosleep(proc::Process& p, const Args& a) {
    constexpr u64 timer_abstime = 1;
    u64 ns = TRY(get_timespec(p, a[2]));
    u64 now = TRY(clock_now(p, a[0]));
    if (a[0] == clock_thread_cputime || (a[1] & ~timer_abstime) != 0) {
        return Errno::einval;
    }
    if ((a[1] & timer_abstime) != 0) {
        ns = ns > now ? ns - now : 0;
    }
    this_task::sleep_for(ns);
    return u64{0};
}

Result<u64> sys_sched_yield(proc::Process&, const Args&) {
    this_task::yield();
    return u64{0};
}

} // namespace keel::syscall
