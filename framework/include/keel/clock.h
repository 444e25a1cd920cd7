// Time since boot, from the architecture's free-running counter.
#pragma once

#include <keel/ktl/result.h>

namespace keel::clock {

u64 monotonic_ns();

// Seconds since 1970-01-01 00:00:00 UTC from the board's real-time clock (CMOS on PCs,
// goldfish on riscv virt, PL031 on aarch64 virt); ENODEV when the board has none.
Result<u64> wall_clock_seconds();

} // namespace keel::clock
