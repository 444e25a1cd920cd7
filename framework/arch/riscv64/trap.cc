// riscv64: the C++ half of kernel trap handling (trap.h): interrupts go to handle_interrupt
// (irq_entry.h), kernel page faults become KernelFault reports, a fault of probe_read(), of a
// user copy or of the stimecmp probe resumes at its fixup, anything else is an unexpected trap.
#include "trap.h"
#include "address.h"

#include <keel/panic.h>

#include "fault.h"
#include "irq_entry.h"
#include "live_tables.h"
#include "sched/scheduler.h"

extern "C" const char keel_riscv_probe_load[];
extern "C" const char keel_riscv_probe_fixup[];
extern "C" const char keel_riscv_probe_csr_first[];
extern "C" const char keel_riscv_probe_csr_end[];
extern "C" const char keel_riscv_probe_csr_fixup[];
extern "C" keel::u64 keel_riscv_probe_read(keel::uptr va, keel::u64* out);
extern "C" const char keel_riscv_user_copy_begin[];
extern "C" const char keel_riscv_user_copy_end[];
extern "C" const char keel_riscv_user_copy_fixup[];

namespace keel::arch::riscv {

namespace {

constexpr u64 scause_interrupt = u64{1} << 63;
constexpr u64 sstatus_spp = u64{1} << 8; // the trap came from S-mode

// Exception codes (privileged spec, scause).
enum : u64 {
    instruction_access_fault = 1,
    illegal_instruction = 2,
    load_access_fault = 5,
    store_access_fault = 7,
    instruction_page_fault = 12,
    load_page_fault = 13,
    store_page_fault = 15,
};

bool is_memory_fault(u64 cause) {
    switch (cause) {
    case instruction_access_fault:
    case load_access_fault:
    case store_access_fault:
    case instruction_page_fault:
    case load_page_fault:
    case store_page_fault:
        return true;
    default:
        return false;
    }
}

bool on_emergency_stack(const TrapFrame& frame) {
    VirtRange emergency = emergency_stack();
    // SAFETY: only the frame's address is used, as a number.
    return emergency.contains(reinterpret_cast<uptr>(&frame), sizeof(TrapFrame));
}

KernelFault kernel_fault(const TrapFrame& frame) {
    KernelFault fault;
    fault.address = frame.stval;
    fault.pc = frame.sepc;
    fault.sp = frame.x[TrapFrame::sp];
    fault.fp = frame.x[TrapFrame::s0];
    fault.access = frame.scause == store_page_fault         ? FaultAccess::write
                   : frame.scause == instruction_page_fault ? FaultAccess::execute
                                                            : FaultAccess::read;
    // RISC-V does not say why a page faulted; a valid leaf under the faulting address means the
    // access was refused (permissions, U bit), no leaf means nothing is mapped there.
    fault.protection = query_active(frame.stval).has_value();
    return fault;
}

} // namespace

TrapCpu& this_trap_cpu() {
    uptr block = 0;
    // SAFETY: in kernel code sscratch always holds this CPU's TrapCpu (entry.S sets it before
    // the first trap; trap_entry.S puts it back before anything can fault).
    asm volatile("csrr %0, sscratch" : "=r"(block));
    // SAFETY: so block is the address of this CPU's TrapCpu (trap_cpus in smp.cc, or the boot
    // hart's in trap_entry.S), which lives as long as the kernel and only this CPU uses.
    return *reinterpret_cast<TrapCpu*>(block);
}

void set_kernel_stack(VirtRange stack) { this_trap_cpu().stack_limit = stack.base; }

VirtRange emergency_stack() {
    uptr top = this_trap_cpu().emergency_top; // the boot CPU's is in bss, the others' from smp.cc
    return {top - EMERGENCY_STACK_SIZE, top};
}

Optional<u64> probe_read(uptr va) {
    u64 value = 0;
    if (keel_riscv_probe_read(va, &value) != 0) {
        return none;
    }
    return value;
}

} // namespace keel::arch::riscv

using namespace keel;
using namespace keel::arch::riscv;

// trap_entry.S, with the frame it saved; returning resumes at frame.sepc.
extern "C" void keel_riscv_trap(TrapFrame& frame) {
    u64 cause = frame.scause;
    bool from_kernel = (frame.sstatus & sstatus_spp) != 0;
    if ((cause & scause_interrupt) != 0) {
        // The frame holds every register: returning resumes the interrupted code as it was.
        handle_interrupt(cause & ~scause_interrupt);
        // Handled and completed: the tick may want another task to run. The frame stays on
        // this task's stack while others run, and the return below resumes it whenever the
        // task is switched back (trap_entry.S restores the stack limit it saved). Never from
        // the emergency stack: the frame there would be overwritten by the next trap that
        // needs it, so a task interrupted with too little stack left waits for the next tick.
        if (from_kernel && !on_emergency_stack(frame)) {
            sched::interrupt_exit();
        }
        return;
    }
    if (cause == illegal_instruction && from_kernel &&
        frame.sepc >= address_of(keel_riscv_probe_csr_first) &&
        frame.sepc < address_of(keel_riscv_probe_csr_end)) {
        frame.sepc = address_of(keel_riscv_probe_csr_fixup);
        return;
    }
    if (from_kernel && is_memory_fault(cause)) {
        if (frame.sepc == address_of(keel_riscv_probe_load)) {
            frame.sepc = address_of(keel_riscv_probe_fixup);
            return;
        }
        // A user copy (user_entry.S) that hit a bad user address: it returns failure.
        if (frame.sepc >= address_of(keel_riscv_user_copy_begin) &&
            frame.sepc < address_of(keel_riscv_user_copy_end)) {
            frame.sepc = address_of(keel_riscv_user_copy_fixup);
            return;
        }
        if (cause == instruction_page_fault || cause == load_page_fault ||
            cause == store_page_fault) {
            report_kernel_fault(kernel_fault(frame));
        }
    }
    panic("unexpected trap: scause {:#x} sepc {:#x} stval {:#x}", cause, frame.sepc, frame.stval);
}
