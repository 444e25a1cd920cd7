// The clock concern of the arch contract (framework/arch_contract.h): declared once here, defined
// out of line by each framework/arch/<arch>/ folder.
#pragma once

#include <keel/boot_info.h>
#include <keel/ktl/result.h>

namespace keel::arch {

void init_clock(const BootInfo& info);
u64 counter();
u64 counter_frequency();
// The board's real-time clock, found by init_interrupts: seconds since the Unix epoch (UTC);
// ENODEV when there is none.
Result<u64> rtc_seconds();

} // namespace keel::arch
