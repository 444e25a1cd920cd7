// One-shot timers on the monotonic clock. A Timer fires its callback once, in interrupt context
// on the CPU that armed it, at or after its deadline (keel/clock.h nanoseconds); it can be
// cancelled until then. Callbacks must be short and must not sleep.
#pragma once

#include <keel/ktl/result.h>

namespace keel {

class TimerCallback {
public:
    virtual void on_timer() = 0;

protected:
    ~TimerCallback() = default;
};

class Timer {
public:
    constexpr Timer() = default;
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer(); // cancels

    // EBUSY while already armed; EINVAL for a deadline of 0.
    Result<void> arm(u64 deadline_ns, TimerCallback& callback);
    void cancel();
    bool armed() const;
    u32 cpu() const { return cpu_; } // where it was armed (and fires)

private:
    friend struct TimerQueue;
    u64 deadline_ = 0;
    TimerCallback* callback_ = nullptr;
    Timer* next_ = nullptr; // the CPU's queue, sorted by deadline
    u32 cpu_ = 0;
    bool armed_ = false;
};

// Waits for the next interrupt with interrupts enabled, then masks them again: the idle loop of
// a CPU with nothing to run (until the scheduler has one).
void wait_for_interrupt();

} // namespace keel
