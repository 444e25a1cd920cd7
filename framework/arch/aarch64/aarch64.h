// Private to framework/arch/aarch64: what its files tell each other.
#pragma once

#include <keel/ktl/string_view.h>

#include "boot/devicetree.h"

namespace keel::arch {
// What vectors.S saves of the interrupted kernel context: on the emergency stack for a fault, on
// the interrupted stack for an IRQ (esr and far 0 then), which returns through it.
struct TrapFrame {
    u64 x[31]; // x0-x30; x[29] is the frame pointer, x[30] the link register
    u64 sp;    // SP_EL1 when the exception was taken
    u64 elr;
    u64 spsr;
    u64 esr;
    u64 far;
    u64 frame_record[2]; // {x29, elr}: links the handler's backtrace to the interrupted code
};
static_assert(sizeof(TrapFrame) == 38 * 8, "vectors.S FRAME_SIZE");

// What a secondary CPU's entry (boot.S keel_secondary_entry) loads, one CPU at a time: the
// first four with the MMU off (so the block is cleaned to the point of coherency), the rest
// through the kernel mapping. The offsets are boot.S's SB_* constants.
struct SecondaryBoot {
    u64 mair;   // 0: MAIR_EL1, as on the boot CPU
    u64 tcr;    // 8: TCR_EL1, as on the boot CPU (TTBR0 walks on)
    u64 ttbr1;  // 16: mm::kernel_root()
    u64 sctlr;  // 24: SCTLR_EL1, as on the boot CPU (MMU and caches on, SPAN clear)
    u64 ttbr0;  // 32: the empty table, once off the identity map
    u64 sp;     // 40: the top of the CPU's stack
    u64 sp_el0; // 48: the top of its emergency stack
    u64 tpidr;  // 56: its index (cpu_index)
};
static_assert(sizeof(SecondaryBoot) == 64, "boot.S SB_* offsets");
} // namespace keel::arch

extern "C" {
// boot.S -> entry.cc: the first C++ code, on the boot stack in the higher half.
[[noreturn]] void keel_arch_start(keel::u64 dtb_phys, keel::u64 load_base);
// vectors.S -> trap.cc: an exception taken from the kernel (EL1 on SP_EL1), on the emergency
// stack; vector is the index in the table (4..7: synchronous, IRQ, FIQ, SError).
[[noreturn]] void keel_arch_kernel_exception(keel::u64 vector, keel::arch::TrapFrame* frame);
// vectors.S -> user_mode.cc: before the fatal report of a synchronous exception taken by the
// kernel, where to resume instead (a user copy's fixup), or 0.
keel::u64 keel_arch_fault_fixup(keel::u64 vector, const keel::arch::TrapFrame* frame);
// vectors.S -> interrupts.cc: an IRQ taken from the kernel, on the interrupted stack (SP_EL1);
// the frame is the interrupted context, restored from it on return.
void keel_arch_irq(keel::arch::TrapFrame* frame);
// vectors.S -> trap.cc: an exception nothing can come back from (a fault while reporting one,
// or from EL0 before user space exists), on the last-resort stack; x0-x5 are lost.
[[noreturn]] void keel_arch_early_trap(keel::u64 vector, keel::u64 esr, keel::u64 elr,
                                       keel::u64 far, keel::u64 lr);
// boot.S -> paging.cc: switches TTBR1 to ttbr1 with break-before-make (see boot.S).
void keel_replace_ttbr1(keel::u64 ttbr1, keel::u64 phys_offset, keel::u64 empty_table,
                        keel::u64 tcr);
// boot.S: where PSCI CPU_ON starts a secondary CPU (physical address, MMU off, x0 = the
// SecondaryBoot's physical address).
void keel_secondary_entry();
// boot.S -> smp.cc: a secondary CPU's first C++ code, on its stack in the higher half, with
// TPIDR_EL1, SP_EL0 and VBAR_EL1 set and every exception masked.
[[noreturn]] void keel_arch_secondary_start();
// boot.S: a page of invalid descriptors (TTBR0 while no user space is active).
extern const keel::u64 keel_empty_table[512];
// vectors.S: the top of the boot CPU's emergency stack (SP_EL0 at EL1).
extern char keel_emergency_stack_top[];
// vectors.S: semihosting SYS_EXIT; returns only if the host ignored it.
void keel_semihosting_exit(keel::u64 status);
extern const char keel_semihosting_hlt[];
}

namespace keel::arch {

// Where boot.S found the image in physical memory.
void set_kernel_load_base(u64 phys);
// The physical address of a kernel image address (its link-time address).
u64 image_virt_to_phys(uptr va);

// The device tree the boot loader handed over (boot::live_device_tree): ENODEV without one,
// EINVAL when it cannot be read in place.
Result<boot::DeviceTree> boot_device_tree(const BootInfo& info);

// IRQ entries so far on every CPU (interrupts.cc; wait_for_interrupt watches its CPU's own).
u64 interrupt_entries();

// The PSCI conduit the device tree names in /psci "method" ("hvc" or "smc").
void set_psci_method(StringView method);

// PSCI CPU_ON (power.cc): starts the CPU with this MPIDR (Aff3 in bits 39:32) at entry_phys, MMU
// off, x0 = context. 0 or a negative PSCI error (-1 also when there is no conduit).
i64 psci_cpu_on(u64 mpidr, u64 entry_phys, u64 context);

// PAN on this CPU as on the boot CPU (paging.cc; a secondary CPU's start).
void enable_pan_on_this_cpu();

// smp.cc: the MPIDR affinity of the CPU with this index (0 before it started), and how long its
// start took (CPU_ON to its signal, 0 for the boot CPU).
u64 cpu_mpidr(u32 index);
u64 cpu_bring_up_ns(u32 index);
// The top of CPU index's emergency stack (its SP_EL0 at EL1); 0 for a CPU not started.
uptr emergency_stack_top(u32 index);

// The SGI that carries IPIs (smp::handle_ipi and the scheduler's wake-ups).
inline constexpr u32 ipi_sgi = 1;

// Acknowledges, handles and ends the pending interrupts (IPIs included), without the
// scheduler's interrupt_exit: the IRQ entry's work, also for an IRQ taken at EL0 (user_mode.cc).
void handle_pending_interrupts();

// A secondary CPU's GIC CPU interface and private lines (the IPI SGI and the timer PPI
// enabled) and its timer (interrupts.cc).
Result<void> init_secondary_interrupts();

// power_off's semihosting call trapped: there is no semihosting host.
[[noreturn]] void semihosting_unavailable();

} // namespace keel::arch
