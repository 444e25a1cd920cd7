// riscv64: the power concern of the arch contract (framework/arch_contract.h).
#pragma once

namespace keel::arch {

[[noreturn]] void power_off(int status);

} // namespace keel::arch
