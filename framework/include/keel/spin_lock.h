// SpinLock: mutual exclusion for short critical sections, with interrupts masked on this CPU
// while held (a handler taking the same lock would otherwise deadlock against its own CPU). A
// ticket lock: waiters get it in arrival order. Held through SpinLockGuard.
#pragma once

#include <keel/ktl/types.h>

namespace keel {

class SpinLock {
public:
    constexpr SpinLock() = default;
    SpinLock(const SpinLock&) = delete;
    SpinLock& operator=(const SpinLock&) = delete;

    // Returns the interrupt state to give back to unlock.
    [[nodiscard]] u64 lock();
    void unlock(u64 saved);
    // Takes the lock only if nobody holds or waits for it; on success saved holds the interrupt
    // state for unlock.
    [[nodiscard]] bool try_lock(u64& saved);

private:
    u32 next_ = 0;
    u32 serving_ = 0;
};

class [[nodiscard]] SpinLockGuard {
public:
    explicit SpinLockGuard(SpinLock& lock) : lock_(lock), saved_(lock.lock()) {}
    ~SpinLockGuard() { lock_.unlock(saved_); }
    SpinLockGuard(const SpinLockGuard&) = delete;
    SpinLockGuard& operator=(const SpinLockGuard&) = delete;

private:
    SpinLock& lock_;
    u64 saved_;
};

} // namespace keel
