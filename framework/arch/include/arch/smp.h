// The SMP concern of the arch contract (framework/arch_contract.h): declared once here, defined by
// each framework/arch/<arch>/ folder. The arch finds the CPUs in the firmware's description
// (ACPI MADT, device tree /cpus), starts them (INIT-SIPI-SIPI, SBI HSM hart_start, PSCI CPU_ON),
// gives each its per-CPU register, trap and emergency stacks, interrupt-controller interface and
// timer, and delivers inter-processor interrupts.
#pragma once

#include "arch_contract.h"

namespace keel::arch {

// This CPU's index: 0 for the boot CPU, then 1, 2, ... in the order start_secondary_cpus
// started them. Read from a per-CPU register (x86 GS base, riscv tp, aarch64 TPIDR_EL1); valid
// from the first instruction of C++ code on every CPU.
u32 cpu_index();

// CPUs the firmware describes (the boot CPU included), at most max_cpus (mm/cpu_local.h).
u32 possible_cpus();

// Starts every other CPU. Each runs entry(index, stack) with paging on the kernel root
// (mm::kernel_root), its traps, interrupt-controller interface and timer set up, interrupts
// masked, on the stack `stack` the arch allocated for it (a guarded mm::KernelStack). Returns
// how many were started; entry never returns.
u32 start_secondary_cpus(void (*entry)(u32 index, VirtRange stack));

// Raises the inter-processor interrupt on CPU cpu; its handler calls smp::handle_ipi()
// (framework/smp.h) and ends the interrupt like any other.
void send_ipi(u32 cpu);

} // namespace keel::arch
