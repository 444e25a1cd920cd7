// x86_64: the CPU concern of the arch contract (framework/arch_contract.h).
#pragma once

#include <keel/ktl/string_view.h>

#include <arch/cpu_control.h>

namespace keel::arch {

inline constexpr StringView name = "x86_64";

// x86-64: rbp points at {saved rbp, return address}.
inline constexpr isize frame_record_offset = 0;

} // namespace keel::arch
