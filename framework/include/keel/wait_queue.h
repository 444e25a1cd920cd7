// WaitQueue: tasks sleep here until a condition holds; whoever changes the condition wakes them.
// The condition is checked under the queue's lock, and a wake takes the same lock, so no wakeup
// is lost between the check and the sleep.
#pragma once

#include <keel/clock.h>
#include <keel/spin_lock.h>
#include <keel/timer.h>

namespace keel {

namespace sched {
struct TaskControl;
}

class WaitQueue {
public:
    constexpr WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;

    // Sleeps until condition() is true (checked with the queue's lock held).
    template <typename Condition>
    void wait_until(Condition&& condition) {
        for (;;) {
            u64 saved = lock_.lock();
            if (condition()) {
                lock_.unlock(saved);
                return;
            }
            sleep_locked(saved); // returns with the lock released
        }
    }

    // Sleeps until condition() is true or timeout_ns have passed; true when the condition
    // holds. A device that never answers costs its caller this long, not forever.
    template <typename Condition>
    bool wait_until_for(Condition&& condition, u64 timeout_ns) {
        struct Alarm final : TimerCallback {
            explicit Alarm(WaitQueue& q) : queue(q) {}
            void on_timer() override {
                queue.notify_all([this] { rang = true; });
            }
            WaitQueue& queue;
            bool rang = false; // under the queue's lock
        } alarm(*this);
        Timer timer; // destroyed first: waits for a callback still running on another CPU
        bool met = false;
        if (timer.arm(clock::monotonic_ns() + timeout_ns, alarm).is_error()) {
            return false;
        }
        wait_until([&] {
            met = condition();
            return met || alarm.rang;
        });
        return met;
    }

    // Runs update under the queue's lock, then wakes one (or every) waiter.
    template <typename Update>
    void notify_one(Update&& update) {
        SpinLockGuard guard(lock_);
        update();
        wake_locked(false);
    }
    template <typename Update>
    void notify_all(Update&& update) {
        SpinLockGuard guard(lock_);
        update();
        wake_locked(true);
    }
    void wake_one() {
        notify_one([] {});
    }
    void wake_all() {
        notify_all([] {});
    }

private:
    void sleep_locked(u64 saved);
    void wake_locked(bool all);

    SpinLock lock_;
    sched::TaskControl* head_ = nullptr;
    sched::TaskControl* tail_ = nullptr;
};

} // namespace keel
