// The exception vectors and the semihosting exit call.
//
// Faults: an AArch64 exception pushes nothing, but its handler must store the registers
// somewhere, and the stack it was running on may be the very thing that failed (a kernel stack
// run into its guard page). So synchronous exceptions, FIQs and SErrors taken from the kernel
// never store to the interrupted stack: while a CPU runs at EL1 its SP_EL0 holds the top of that
// CPU's emergency stack (boot.S sets it; enter_user swaps the user's stack pointer in and out,
// user_entry.S), and the kernel runs on SP_EL1. Such a vector's first instruction selects SP_EL0
// (msr spsel does not touch memory or registers), and everything after it runs on the emergency
// stack: the frame, the decoding, the fault report. The interrupted SP_EL1 is read back by
// selecting it for one instruction. These are all fatal, so that frame never goes back.
//
// IRQs are the exception: they come back. An IRQ is taken from code running normally on a good
// stack (nothing about the stack caused it), so its frame goes on the interrupted stack, SP_EL1,
// and the entry restores every register from it and returns with eret. The emergency stack would
// be wrong for them: it is one per CPU, so an interrupted context saved there could not outlive
// a switch to another task (preemption keeps each task's interrupted state on its own stack), and
// a fault inside a handler running on it would arrive at the "EL1 with SP_EL0" entries and lose
// its report. If the frame itself runs a nearly full stack into its guard page, the store faults:
// a synchronous exception, which moves to the emergency stack and reports the overflow.
//
// An exception while already on the emergency stack (the report itself faulted) arrives at the
// "EL1 with SP_EL0" entries and goes to the last-resort path (a private stack, a short report,
// power off), as do exceptions from AArch32 EL0, which never runs. Exceptions from AArch64 EL0
// end enter_user (user_entry.S): while user code runs, SP_EL0 is the user's stack pointer, and
// SP_EL1 the task's kernel stack below enter_user's frame, where the emergency stack's address
// waits to go back into SP_EL0.

#define FRAME_SIZE (38 * 8) /* arch::TrapFrame: x0-x30, sp, elr, spsr, esr, far, frame record */
#define FRAME_SP (31 * 8)
#define FRAME_ELR (32 * 8)
#define FRAME_ESR (34 * 8)
#define FRAME_RECORD (36 * 8)

// x2-x29 into an arch::TrapFrame at sp (x0/x1 are saved by the vector itself).
.macro save_x2_to_x29
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
.endm

.macro kernel_vector index
    .balign 0x80
    msr spsel, #0               // the emergency stack; SP_EL1 (maybe overflowed) stays untouched
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #\index
    b kernel_exception
.endm

.macro irq_vector
    .balign 0x80
    sub sp, sp, #FRAME_SIZE     // on the interrupted stack (SP_EL1): see above
    stp x0, x1, [sp]
    b kernel_irq
.endm

// From EL0: SP_EL1 is where enter_user left it, the running task's kernel stack just below
// enter_user's frame (user_entry.S), so the user's registers go to that task's UserRegisters.
.macro user_vector kind
    .balign 0x80
    stp x0, x1, [sp, #-16]!
    mov x0, #\kind
    b keel_user_exit
.endm

.macro last_resort_vector index
    .balign 0x80
    mov x0, #\index
    b last_resort
.endm

    .section .text.vectors, "ax"
    .balign 2048
    .globl keel_vectors
keel_vectors:
    .irp index, 0, 1, 2, 3      // EL1 with SP_EL0: a fault on the emergency stack itself
    last_resort_vector \index
    .endr
    kernel_vector 4             // EL1 with SP_EL1, the kernel: synchronous
    irq_vector                  // IRQ
    kernel_vector 6             // FIQ (PSTATE.F stays masked; the GIC signals IRQs only)
    kernel_vector 7             // SError
    user_vector 0               // EL0 (AArch64): synchronous (user_entry.S)
    user_vector 1               // IRQ
    user_vector 2               // FIQ
    user_vector 3               // SError
    .irp index, 12, 13, 14, 15  // EL0 (AArch32): never entered (enter_user runs AArch64 only)
    last_resort_vector \index
    .endr

// On the emergency stack, x0 = vector index, x0/x1 saved: save the rest as an arch::TrapFrame
// and call keel_arch_kernel_exception(index, frame), which does not return.
kernel_exception:
    save_x2_to_x29
    msr spsel, #1               // the interrupted stack pointer: read it, do not use it
    mov x1, sp
    msr spsel, #0
    stp x30, x1, [sp, #240]     // x30, sp
    mrs x2, elr_el1
    mrs x3, spsr_el1
    stp x2, x3, [sp, #FRAME_ELR]
    mrs x4, esr_el1
    mrs x5, far_el1
    stp x4, x5, [sp, #FRAME_ESR]
    // A frame record {interrupted fp, interrupted pc}: a backtrace taken in the handler runs on
    // into the interrupted code.
    stp x29, x2, [sp, #FRAME_RECORD]
    add x29, sp, #FRAME_RECORD
    // A fault inside a user copy (user_copy.S) resumes at its fixup, which returns failure.
    mov x19, x0
    mov x1, sp
    bl keel_arch_fault_fixup
    cbnz x0, fixup_return
    mov x0, x19
    mov x1, sp
    bl keel_arch_kernel_exception // never returns
1:  wfi
    b 1b

// x0 = the fixup's address: back to the interrupted code's registers (x19 and x29/x30 used
// above included), its SP_EL1 and SPSR (untouched), with ELR at the fixup; the emergency stack
// is left as it was before the exception.
fixup_return:
    msr elr_el1, x0
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    ldp x0, x1, [sp]
    add sp, sp, #FRAME_SIZE
    eret

// On the interrupted stack, x0/x1 saved: save the rest as an arch::TrapFrame (esr and far are
// 0), call keel_arch_irq(frame), then restore all of it from the frame (a handler may have
// changed ELR/SPSR in it) and return to the interrupted code. keel_arch_irq ends with
// sched::interrupt_exit, which may switch to other tasks (each interrupted one keeps its frame
// on its own stack) and return here much later: ELR_EL1 and SPSR_EL1 then hold whatever the
// last exception left, so they are reloaded from this frame, never kept in the registers. The frame is
// 16-byte aligned as the stack pointer was, and the code is compiled for general registers only
// (no FP/SIMD state to save).
kernel_irq:
    save_x2_to_x29
    add x1, sp, #FRAME_SIZE     // the interrupted stack pointer
    stp x30, x1, [sp, #240]     // x30, sp
    mrs x2, elr_el1
    mrs x3, spsr_el1
    stp x2, x3, [sp, #FRAME_ELR]
    stp xzr, xzr, [sp, #FRAME_ESR]
    stp x29, x2, [sp, #FRAME_RECORD] // the handler's backtrace runs on into the interrupted code
    add x29, sp, #FRAME_RECORD
    mov x0, sp
    bl keel_arch_irq
    ldp x2, x3, [sp, #FRAME_ELR]
    msr elr_el1, x2
    msr spsr_el1, x3
    ldp x0, x1, [sp]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    add sp, sp, #FRAME_SIZE
    eret

// Clobbers x0-x7 (reported as they are now): only for exceptions nothing can come back from.
// The last-resort stack is one for all CPUs: the first CPU here takes it (its index + 1 in
// keel_trap_stack_owner), any other, or the owner again, just stops.
last_resort:
    ldr x6, =keel_trap_stack_owner
    mrs x7, tpidr_el1
    add x7, x7, #1
2:  ldaxr x5, [x6]
    cbnz x5, 3f
    stxr w5, x7, [x6]
    cbnz w5, 2b
    mrs x1, esr_el1
    mrs x2, elr_el1
    mrs x3, far_el1
    mov x4, x30
    ldr x5, =keel_trap_stack_top
    mov sp, x5
    mov x29, xzr
    bl keel_arch_early_trap     // never returns
3:  clrex
1:  wfi
    b 1b
    .ltorg

// void keel_semihosting_exit(u64 status): SYS_EXIT with ADP_Stopped_ApplicationExit and the
// status, which QEMU (-semihosting) turns into its exit code. Without semihosting the hlt is an
// undefined instruction; the trap handler recognises keel_semihosting_hlt as its address.
    .section .text.keel_semihosting_exit, "ax"
    .globl keel_semihosting_exit, keel_semihosting_hlt
keel_semihosting_exit:
    sub sp, sp, #16
    movz x2, #0x2, lsl #16
    movk x2, #0x26              // ADP_Stopped_ApplicationExit (0x20026)
    stp x2, x0, [sp]            // the parameter block: {reason, subcode}
    mov x1, sp
    mov w0, #0x18               // SYS_EXIT
keel_semihosting_hlt:
    hlt #0xf000
    add sp, sp, #16
    ret

// The boot CPU's emergency stack (SP_EL0 at EL1): the kernel fault report runs here. Each
// secondary CPU gets its own, a guarded kernel stack (smp.cc).
    .section .bss.emergency_stack, "aw", %nobits
    .balign 4096
    .skip 16384
    .globl keel_emergency_stack_top
keel_emergency_stack_top:

// The last-resort stack, for a fault while reporting a fault, and its owner (see last_resort).
    .section .bss.trap_stack, "aw", %nobits
    .balign 16
    .skip 8192
keel_trap_stack_top:
keel_trap_stack_owner:
    .skip 8
