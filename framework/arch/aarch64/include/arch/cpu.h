// aarch64: the CPU concern of the arch contract (framework/arch_contract.h).
#pragma once

#include <keel/ktl/string_view.h>

#include <arch/cpu_control.h>

namespace keel::arch {

inline constexpr StringView name = "aarch64";

// aarch64: x29 points at {saved x29, x30}.
inline constexpr isize frame_record_offset = 0;

} // namespace keel::arch
