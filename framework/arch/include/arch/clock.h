// The clock concern of the arch contract (framework/arch_contract.h): declared once here, defined
// out of line by each framework/arch/<arch>/ folder.
#pragma once

#include <keel/boot_info.h>

namespace keel::arch {

void init_clock(const BootInfo& info);
u64 counter();
u64 counter_frequency();

} // namespace keel::arch
