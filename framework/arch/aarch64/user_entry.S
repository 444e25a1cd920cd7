// User mode on aarch64: enter_user's way down to EL0 and the EL0 vectors' way back (user_mode.cc
// decodes the trap).
//
// keel_arch_enter_user is a call. It pushes the kernel's callee-saved registers, the
// UserRegisters' address and this CPU's emergency stack (SP_EL0 at EL1) on the task's kernel
// stack, loads the user registers (SP_EL0 the user's sp, ELR the pc, SPSR EL0t) and erets. SP_EL1
// stays where that frame is: every exception from EL0 is taken on SP_EL1, so the EL0 vectors
// (vectors.S) find the frame at their sp, on the right task's stack whichever CPU runs it (the
// task cannot move while it is in user mode: IRQs are masked from the call until the eret, and
// any exception from EL0 comes back here first). keel_user_exit stores the user registers into
// the UserRegisters, puts the emergency stack back into SP_EL0, pops the frame and returns from
// keel_arch_enter_user with the vector's kind in x0, IRQs still masked.
//
// FP/SIMD: the kernel never touches v0-v31, FPCR or FPSR (-mgeneral-regs-only), so the user's
// image is loaded before the eret and saved on the way back; CPACR_EL1.FPEN lets EL0 and EL1 use
// them (boot.S, on every CPU).

    .arch armv8-a+fp+simd

// UserRegisters (arch/user_mode.h; user_mode.cc has the same word indexes).
#define REGS_SP (31 * 8)
#define REGS_PC (32 * 8)
#define REGS_PSTATE (33 * 8)
#define REGS_TPIDR (34 * 8)
#define REGS_FP (48 * 8)        /* q0-q31, then fpcr and fpsr */
#define FP_FPCR (32 * 16)
#define FP_FPSR (32 * 16 + 8)

// The frame on the kernel stack: x19-x30, the UserRegisters' address, the emergency stack.
#define UF_REGS (12 * 8)
#define UF_SP_EL0 (13 * 8)
#define UF_SIZE (14 * 8)

#define SPSR_NZCV 0xf0000000    /* the only PSTATE bits the user chooses; EL0t, DAIF clear */

    .section .text.keel_user_entry, "ax"

// u64 keel_arch_enter_user(UserRegisters* regs): IRQs masked by the caller.
    .globl keel_arch_enter_user
keel_arch_enter_user:
    sub sp, sp, #UF_SIZE
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    mrs x1, sp_el0
    stp x0, x1, [sp, #UF_REGS]

    add x2, x0, #REGS_FP
    ldp q0, q1, [x2, #0]
    ldp q2, q3, [x2, #32]
    ldp q4, q5, [x2, #64]
    ldp q6, q7, [x2, #96]
    ldp q8, q9, [x2, #128]
    ldp q10, q11, [x2, #160]
    ldp q12, q13, [x2, #192]
    ldp q14, q15, [x2, #224]
    ldp q16, q17, [x2, #256]
    ldp q18, q19, [x2, #288]
    ldp q20, q21, [x2, #320]
    ldp q22, q23, [x2, #352]
    ldp q24, q25, [x2, #384]
    ldp q26, q27, [x2, #416]
    ldp q28, q29, [x2, #448]
    ldp q30, q31, [x2, #480]
    ldr x3, [x2, #FP_FPCR]
    msr fpcr, x3
    ldr x3, [x2, #FP_FPSR]
    msr fpsr, x3

    ldp x2, x3, [x0, #REGS_SP]  // sp, pc
    msr sp_el0, x2
    msr elr_el1, x3
    ldp x2, x3, [x0, #REGS_PSTATE] // pstate, tpidr_el0
    and x2, x2, #SPSR_NZCV
    msr spsr_el1, x2
    msr tpidr_el0, x3

    ldp x2, x3, [x0, #16]
    ldp x4, x5, [x0, #32]
    ldp x6, x7, [x0, #48]
    ldp x8, x9, [x0, #64]
    ldp x10, x11, [x0, #80]
    ldp x12, x13, [x0, #96]
    ldp x14, x15, [x0, #112]
    ldp x16, x17, [x0, #128]
    ldp x18, x19, [x0, #144]
    ldp x20, x21, [x0, #160]
    ldp x22, x23, [x0, #176]
    ldp x24, x25, [x0, #192]
    ldp x26, x27, [x0, #208]
    ldp x28, x29, [x0, #224]
    ldr x30, [x0, #240]
    ldp x0, x1, [x0, #0]
    eret
    dsb nsh                     // no speculation past the eret
    isb

// From a user_vector (vectors.S): sp = the frame above with the user's x0/x1 pushed on it,
// x0 = the kind (0 synchronous, 1 IRQ, 2 FIQ, 3 SError).
    .globl keel_user_exit
keel_user_exit:
    ldr x1, [sp, #16 + UF_REGS]
    stp x2, x3, [x1, #16]
    stp x4, x5, [x1, #32]
    stp x6, x7, [x1, #48]
    stp x8, x9, [x1, #64]
    stp x10, x11, [x1, #80]
    stp x12, x13, [x1, #96]
    stp x14, x15, [x1, #112]
    stp x16, x17, [x1, #128]
    stp x18, x19, [x1, #144]
    stp x20, x21, [x1, #160]
    stp x22, x23, [x1, #176]
    stp x24, x25, [x1, #192]
    stp x26, x27, [x1, #208]
    stp x28, x29, [x1, #224]
    str x30, [x1, #240]
    ldp x2, x3, [sp], #16       // the user's x0, x1
    stp x2, x3, [x1, #0]
    mrs x2, sp_el0
    mrs x3, elr_el1
    stp x2, x3, [x1, #REGS_SP]
    ldr x2, [sp, #UF_SP_EL0]
    msr sp_el0, x2              // the emergency stack again, for kernel faults
    mrs x2, spsr_el1
    mrs x3, tpidr_el0
    stp x2, x3, [x1, #REGS_PSTATE]

    add x2, x1, #REGS_FP
    stp q0, q1, [x2, #0]
    stp q2, q3, [x2, #32]
    stp q4, q5, [x2, #64]
    stp q6, q7, [x2, #96]
    stp q8, q9, [x2, #128]
    stp q10, q11, [x2, #160]
    stp q12, q13, [x2, #192]
    stp q14, q15, [x2, #224]
    stp q16, q17, [x2, #256]
    stp q18, q19, [x2, #288]
    stp q20, q21, [x2, #320]
    stp q22, q23, [x2, #352]
    stp q24, q25, [x2, #384]
    stp q26, q27, [x2, #416]
    stp q28, q29, [x2, #448]
    stp q30, q31, [x2, #480]
    mrs x3, fpcr
    str x3, [x2, #FP_FPCR]
    mrs x3, fpsr
    str x3, [x2, #FP_FPSR]

    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    add sp, sp, #UF_SIZE
    ret
