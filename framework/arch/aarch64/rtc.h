// Private to framework/arch/aarch64: the PL031 real-time clock behind arch/rtc.h, and the
// calendar arithmetic for its log line.
#pragma once

#include <keel/ktl/result.h>

#include <arch/clock.h>

#include "boot/devicetree.h"

namespace keel::arch {

// The RTC's registers, 0 when there is none (for ktests).
u64 rtc_phys();

// Finds, maps and claims the RTC; without one rtc_seconds() says ENODEV (the boot log says so).
void init_rtc(const boot::DeviceTree& dt);

} // namespace keel::arch
