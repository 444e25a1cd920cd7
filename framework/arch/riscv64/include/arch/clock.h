// riscv64: the clock concern of the arch contract (framework/arch_contract.h).
#pragma once

#include <keel/boot_info.h>

namespace keel::arch {

void init_clock(const BootInfo& info);
u64 counter();
u64 counter_frequency();

} // namespace keel::arch
