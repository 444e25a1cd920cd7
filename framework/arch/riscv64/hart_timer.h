// riscv64: the hart's one-shot timer. The supervisor timer interrupt (STIP) is pending while
// the time CSR is at or past a compare value: Sstc's stimecmp CSR when the hart has it and the
// firmware lets S-mode use it (menvcfg.STCE), else the value set through SBI set_timer (the TIME
// extension, or the legacy call). Private to framework/arch/riscv64.
#pragma once

#include <keel/ktl/string_view.h>

namespace keel::arch::riscv {

enum class HartTimer : u8 { none, sstc, sbi_time, sbi_legacy };

// Picks this hart's timer (probing stimecmp), disarms it and enables STIE in sie. Each hart
// calls it for itself (the boot hart at boot, the others as smp.cc starts them).
void init_hart_timer();
HartTimer hart_timer(); // this hart's
StringView hart_timer_name(HartTimer kind);

// Fires the timer interrupt once time >= ticks; ~0 disarms (clearing a pending one).
void program_hart_timer(u64 ticks);

// The first counter tick at which clock::monotonic_ns() reads at least ns; ~0 past the end.
u64 ticks_for_ns(u64 ns);

// Whether stimecmp can be written and read back from S-mode (an illegal-instruction trap says
// no: trap.cc resumes the probe at its fixup).
bool stimecmp_works();

// For the ktests: drive the timer through another mechanism (none: keep the current one).
// The caller puts the previous kind back.
void use_hart_timer(HartTimer kind);

} // namespace keel::arch::riscv
