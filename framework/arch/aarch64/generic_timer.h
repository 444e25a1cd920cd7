// Private to framework/arch/aarch64: the per-CPU one-shot timer, the EL1 virtual timer of the
// Arm generic timer (CNTV_*), compared against the virtual counter arch::counter() reads.
#pragma once

#include <keel/ktl/result.h>

#include "arch/aarch64/gic.h"
#include "boot/devicetree.h"

namespace keel::arch::generic_timer {

// Takes the virtual timer's PPI, named by the device tree's timer node, as an IrqLine whose
// handler runs the timer queue; the timer starts disarmed.
Result<void> init(const boot::DeviceTree& dt);

// A secondary CPU's timer: disarmed, its PPI enabled in this CPU's GIC interface (the line
// and handler are the ones init took; each CPU's interrupt runs its own timer queue).
void init_this_cpu();

// The first counter value at which clock::monotonic_ns() reads at least ns.
u64 ticks_for(u64 ns);

// Arms CNTV for the monotonic time ns; 0 disarms.
void set_deadline(u64 ns);

u32 line();                   // the GIC INTID of the timer interrupt
u64 interrupt_count();        // timer interrupts taken so far, on every CPU
u64 interrupt_count(u32 cpu); // those taken on CPU cpu

} // namespace keel::arch::generic_timer
