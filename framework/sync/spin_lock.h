// SpinLock: mutual exclusion for short critical sections, with interrupts masked on this CPU
// while held (a handler that takes the same lock would otherwise deadlock against its own CPU).
// A ticket lock, so waiters get the lock in arrival order. Held through SpinLockGuard only.
#pragma once

#include <keel/ktl/types.h>

#include <arch/cpu.h>

namespace keel {

class SpinLock {
public:
    constexpr SpinLock() = default;
    SpinLock(const SpinLock&) = delete;
    SpinLock& operator=(const SpinLock&) = delete;

    [[nodiscard]] u64 lock() {
        u64 saved = arch::save_and_disable_interrupts();
        u32 ticket = __atomic_fetch_add(&next_, 1, __ATOMIC_RELAXED);
        while (__atomic_load_n(&serving_, __ATOMIC_ACQUIRE) != ticket) {
            spin_hint();
        }
        return saved;
    }
    void unlock(u64 saved) {
        __atomic_store_n(&serving_, serving_ + 1, __ATOMIC_RELEASE);
        arch::restore_interrupts(saved);
    }
    bool is_locked() const {
        return __atomic_load_n(&serving_, __ATOMIC_RELAXED) !=
               __atomic_load_n(&next_, __ATOMIC_RELAXED);
    }

private:
    static void spin_hint() {} // a pause/yield hint per arch can come with SMP
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
