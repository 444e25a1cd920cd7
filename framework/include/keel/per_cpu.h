// Per-CPU variables: one copy of T for each CPU, so that each CPU works on its own without a
// lock. A task reaches its CPU's copy only inside with_local(), which keeps it on that CPU (with
// interrupts masked, so neither preemption nor an interrupt handler on the same CPU can interleave
// with it); keep the function short. Another CPU's copy can be summed up or inspected when T is
// an Atomic (on, for_each_online); for other T only the framework may, as it alone can say what
// makes that safe.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/atomic.h>
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

    // Another CPU's copy (cpu < max_cpus: the index is checked), and fn(cpu, copy) for each
    // online CPU's: that CPU may be changing its copy right now, so these are there only for a
    // T that is safe to share (an Atomic: per-CPU statistics summed up). For any other T the
    // framework alone decides what makes it safe (all writers stopped, a lock inside T).
    T& on(u32 cpu)
        requires IsAtomic<T>
    {
        return copies_[cpu];
    }
    template <typename Fn>
        requires IsAtomic<T>
    void for_each_online(Fn&& fn) {
        for_each_online_unsynchronized(forward<Fn>(fn));
    }

    [[clang::annotate("keel::framework_only")]] T& on_unsynchronized(u32 cpu) {
        return copies_[cpu];
    }
    template <typename Fn>
    [[clang::annotate("keel::framework_only")]] void for_each_online_unsynchronized(Fn&& fn) {
        u32 count = online_cpu_count();
        for (u32 cpu = 0; cpu < count; ++cpu) {
            fn(cpu, copies_[cpu]);
        }
    }

private:
    Array<T, max_cpus> copies_{};
};

} // namespace keel
