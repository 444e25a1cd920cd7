#include <keel/clock.h>

#include <arch/clock.h>

namespace keel::clock {

u64 monotonic_ns() {
    u64 freq = arch::counter_frequency();
    if (freq == 0) {
        return 0; // before arch::init_clock
    }
    u64 ticks = arch::counter();
    // Split to stay within 64 bits: (ticks % freq) * 1e9 < 2^64 for any freq below 18 GHz.
    return (ticks / freq) * 1000000000 + (ticks % freq) * 1000000000 / freq;
}

Result<u64> wall_clock_seconds() { return arch::rtc_seconds(); }

} // namespace keel::clock
