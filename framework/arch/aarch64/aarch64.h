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
} // namespace keel::arch

extern "C" {
// boot.S -> entry.cc: the first C++ code, on the boot stack in the higher half.
[[noreturn]] void keel_arch_start(keel::u64 dtb_phys, keel::u64 load_base);
// vectors.S -> trap.cc: an exception taken from the kernel (EL1 on SP_EL1), on the emergency
// stack; vector is the index in the table (4..7: synchronous, IRQ, FIQ, SError).
[[noreturn]] void keel_arch_kernel_exception(keel::u64 vector, keel::arch::TrapFrame* frame);
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

// The device tree the boot loader handed over (boot::start validated it), opened again.
Result<boot::DeviceTree> boot_device_tree(const BootInfo& info);

// IRQ entries so far (interrupts.cc): wait_for_interrupt waits for this to move.
u64 interrupt_entries();

// The PSCI conduit the device tree names in /psci "method" ("hvc" or "smc").
void set_psci_method(StringView method);

// power_off's semihosting call trapped: there is no semihosting host.
[[noreturn]] void semihosting_unavailable();

} // namespace keel::arch
