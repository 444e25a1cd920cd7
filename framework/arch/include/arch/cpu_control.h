// The CPU-control functions of the arch contract (framework/arch_contract.h), declared once here
// and defined by each framework/arch/<arch>/ folder; each arch's own arch/cpu.h includes this
// beside the constants that differ.
#pragma once

#include <keel/ktl/types.h>

namespace keel::arch {

[[noreturn]] void halt();
void disable_interrupts();
// The interrupt-enable state, for locks that must not be interrupted: save and disable, then
// restore exactly what was saved.
u64 save_and_disable_interrupts();
void restore_interrupts(u64 saved);
uptr current_frame_pointer();

} // namespace keel::arch
