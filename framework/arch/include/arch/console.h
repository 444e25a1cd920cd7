// The console concern of the arch contract (framework/arch_contract.h): declared once here, defined
// out of line by each framework/arch/<arch>/ folder.
#pragma once

#include <keel/boot_info.h>

namespace keel::arch {

void install_console(const BootInfo& info);

} // namespace keel::arch
