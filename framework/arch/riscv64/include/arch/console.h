// riscv64: the console concern of the arch contract (framework/arch_contract.h).
#pragma once

#include <keel/boot_info.h>

namespace keel::arch {

void install_console(const BootInfo& info);

} // namespace keel::arch
