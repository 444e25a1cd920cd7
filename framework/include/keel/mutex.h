// Mutex: a sleeping lock for longer critical sections in task context (never in interrupt
// handlers: use SpinLock there). Held through MutexGuard.
#pragma once

#include <keel/wait_queue.h>

namespace keel {

class Mutex {
public:
    constexpr Mutex() = default;
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    void lock() {
        waiters_.wait_until([this] {
            if (locked_) {
                return false;
            }
            locked_ = true;
            return true;
        });
    }
    void unlock() {
        waiters_.notify_one([this] { locked_ = false; });
    }

private:
    WaitQueue waiters_;
    bool locked_ = false; // changed only under waiters_' lock
};

class [[nodiscard]] MutexGuard {
public:
    explicit MutexGuard(Mutex& mutex) : mutex_(mutex) { mutex_.lock(); }
    ~MutexGuard() { mutex_.unlock(); }
    MutexGuard(const MutexGuard&) = delete;
    MutexGuard& operator=(const MutexGuard&) = delete;

private:
    Mutex& mutex_;
};

} // namespace keel
