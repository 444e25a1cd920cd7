// The power concern of the arch contract (framework/arch_contract.h): declared once here, defined
// out of line by each framework/arch/<arch>/ folder.
#pragma once

namespace keel::arch {

[[noreturn]] void power_off(int status);

} // namespace keel::arch
