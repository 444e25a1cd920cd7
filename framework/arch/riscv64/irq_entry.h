// riscv64: the interrupt half of the trap path. trap.cc hands every interrupt cause here;
// interrupts.cc defines it. Private to framework/arch/riscv64.
#pragma once

#include <keel/ktl/types.h>

namespace keel::arch::riscv {

// Interrupt codes (privileged spec, scause with its top bit clear).
enum : u64 {
    supervisor_software_interrupt = 1,
    supervisor_timer_interrupt = 5,
    supervisor_external_interrupt = 9,
};

// Runs with interrupts masked, on the interrupted stack (or the emergency stack when that one
// had no room), from keel_riscv_trap, which then calls sched::interrupt_exit.
void handle_interrupt(u64 code);

// This CPU's interrupts so far, by cause (the ktests and wait_for_interrupt read them).
struct InterruptCounts {
    u64 total;
    u64 timer;
    u64 external;
    u64 software;
};
InterruptCounts interrupt_counts();

// On a secondary hart (smp.cc), interrupts still masked: its PLIC context masked (device
// interrupts stay with the boot hart), its timer chosen and disarmed, STIE and SSIE in sie.
void init_secondary_interrupts(u64 hart);

} // namespace keel::arch::riscv
