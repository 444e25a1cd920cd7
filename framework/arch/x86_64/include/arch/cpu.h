// x86_64: the CPU concern of the arch contract (framework/arch_contract.h).
#pragma once

#include <keel/ktl/string_view.h>

namespace keel::arch {

inline constexpr StringView name = "x86_64";

// x86-64: rbp points at {saved rbp, return address}.
inline constexpr isize frame_record_offset = 0;

[[noreturn]] void halt();
void disable_interrupts();
// The interrupt-enable state, for locks that must not be interrupted: save and disable, then
// restore exactly what was saved.
u64 save_and_disable_interrupts();
void restore_interrupts(u64 saved);
uptr current_frame_pointer();

} // namespace keel::arch
