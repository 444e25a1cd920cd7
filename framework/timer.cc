// The per-CPU timer queue: armed Timers sorted by deadline; the CPU's one-shot hardware timer is
// always set to the earliest (arch::set_timer_deadline), and its interrupt runs every expired
// callback (timer_interrupt, called by the arch).
#include <keel/clock.h>
#include <keel/ktl/array.h>
#include <keel/timer.h>

#include <arch/clock.h>
#include <arch/interrupts.h>

#include "mm/cpu_local.h"
#include "timer_internal.h"
#include <keel/spin_lock.h>

namespace keel {

struct TimerQueue {
    SpinLock lock;
    Timer* head = nullptr;
    // The timer whose callback this CPU runs right now (outside the lock): cancel on another
    // CPU waits for it, so a callback never runs on a Timer (or a callback object) its owner
    // has already destroyed.
    Timer* running = nullptr;

    void program() { arch::set_timer_deadline(head != nullptr ? head->deadline_ : 0); }
    void insert(Timer& t) {
        Timer** at = &head;
        while (*at != nullptr && (*at)->deadline_ <= t.deadline_) {
            at = &(*at)->next_;
        }
        t.next_ = *at;
        *at = &t;
    }
    bool remove(Timer& t) {
        for (Timer** at = &head; *at != nullptr; at = &(*at)->next_) {
            if (*at == &t) {
                *at = t.next_;
                t.next_ = nullptr;
                return true;
            }
        }
        return false;
    }
    static void fire(Timer& t) { t.callback_->on_timer(); }
    // Unlinks the first expired timer, or null.
    Timer* pop_expired(u64 now) {
        if (head == nullptr || head->deadline_ > now) {
            return nullptr;
        }
        Timer* t = head;
        head = t->next_;
        t->next_ = nullptr;
        t->armed_ = false;
        return t;
    }
};

namespace {
constinit Array<TimerQueue, max_cpus> queues{};
} // namespace

Timer::~Timer() { cancel(); }

Result<void> Timer::arm(u64 deadline_ns, TimerCallback& callback) {
    if (deadline_ns == 0) {
        return Errno::einval;
    }
    TimerQueue& q = queues[this_cpu()];
    SpinLockGuard guard(q.lock);
    if (armed_) {
        return Errno::ebusy;
    }
    deadline_ = deadline_ns;
    callback_ = &callback;
    cpu_ = static_cast<u32>(this_cpu());
    armed_ = true;
    q.insert(*this);
    q.program();
    return {};
}

void Timer::cancel() {
    TimerQueue& q = queues[cpu_];
    {
        SpinLockGuard guard(q.lock);
        if (armed_) {
            armed_ = false;
            q.remove(*this);
            // Only this CPU's timer can be programmed from here; a remote one fires for
            // nothing and re-arms itself for its queue's new head.
            if (cpu_ == this_cpu()) {
                q.program();
            }
        }
        // On the timer's own CPU its callback cannot be running underneath us, except when
        // the callback itself cancels: no wait then.
        if (q.running != this || cpu_ == this_cpu()) {
            return;
        }
    }
    // Like Linux's del_timer_sync: the callback is short and does not sleep.
    for (;;) {
        SpinLockGuard guard(q.lock);
        if (q.running != this) {
            return;
        }
    }
}

bool Timer::armed() const { return __atomic_load_n(&armed_, __ATOMIC_RELAXED); }

void wait_for_interrupt() { arch::wait_for_interrupt(); }

namespace timer {

void handle_interrupt() {
    TimerQueue& q = queues[this_cpu()];
    for (;;) {
        Timer* expired = nullptr;
        {
            SpinLockGuard guard(q.lock);
            q.running = nullptr;
            expired = q.pop_expired(clock::monotonic_ns());
            if (expired == nullptr) {
                q.program();
                return;
            }
            q.running = expired;
        }
        // Outside the lock: the callback may arm this or another timer.
        TimerQueue::fire(*expired);
    }
}

} // namespace timer
} // namespace keel
