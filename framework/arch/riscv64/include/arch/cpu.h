// riscv64: the CPU concern of the arch contract (framework/arch_contract.h).
#pragma once

#include <keel/ktl/string_view.h>

#include <arch/cpu_control.h>

namespace keel::arch {

inline constexpr StringView name = "riscv64";

// riscv64: s0 is the frame's top; {saved s0, ra} sit just below it.
inline constexpr isize frame_record_offset = -16;

} // namespace keel::arch
