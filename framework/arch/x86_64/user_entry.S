/* x86_64 user mode entry and exit (user_mode.cc declares these; offsets: user_layout.h).
 *
 * keel_x86_enter_user is a call that returns when user code traps back. It saves the kernel's
 * callee-saved registers on the task's stack, records that stack pointer per CPU (GS block)
 * and in the TSS's rsp0, and IRETQs into user mode with the registers of the UserRegisters.
 * Every trap from user mode lands right under that frame: an interrupt or exception through
 * the TSS's rsp0 (entry.S's stubs send a frame whose CS is a user one here), a SYSCALL by
 * loading the saved rsp itself. Both build entry.S's TrapFrame there (SYSCALL under the
 * pseudo-vector VECTOR_SYSCALL), swap GS back to the kernel's, and call keel_x86_user_trap,
 * which stores the user registers and decodes the trap; then the saved frame is popped and
 * enter_user returns. GS: the kernel's per-CPU base is in KERNEL_GS_BASE while user code runs
 * (SWAPGS on each side). Interrupts are masked from before the IRETQ until the C++ caller
 * restores them. */
#include "trap_frame.inc"
#include "user_layout.h"

    .section .text.user_entry, "ax"

/* void keel_x86_enter_user(UserRegisters* regs, u64* tss_rsp0), interrupts masked. */
    .globl keel_x86_enter_user
    .type keel_x86_enter_user, @function
    .balign 16
keel_x86_enter_user:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rdi                     /* seven words over the return address: rsp 16-aligned */
    movq %rsp, %gs:PERCPU_KERNEL_RSP
    movq %rsp, (%rsi)              /* TSS rsp0: where the CPU puts an interrupt's frame */

    pushq $USER_DATA_SELECTOR
    pushq USER_RSP(%rdi)
    pushq USER_RFLAGS(%rdi)        /* sanitized by user_mode.cc: IF set, IOPL 0 */
    pushq $USER_CODE_SELECTOR
    pushq USER_RIP(%rdi)           /* canonical: user_mode.cc checked */
    movq USER_RAX(%rdi), %rax
    movq USER_RBX(%rdi), %rbx
    movq USER_RCX(%rdi), %rcx
    movq USER_RDX(%rdi), %rdx
    movq USER_RSI(%rdi), %rsi
    movq USER_RBP(%rdi), %rbp
    movq USER_R8(%rdi), %r8
    movq USER_R9(%rdi), %r9
    movq USER_R10(%rdi), %r10
    movq USER_R11(%rdi), %r11
    movq USER_R12(%rdi), %r12
    movq USER_R13(%rdi), %r13
    movq USER_R14(%rdi), %r14
    movq USER_R15(%rdi), %r15
    movq USER_RDI(%rdi), %rdi
    swapgs
    iretq
    .size keel_x86_enter_user, . - keel_x86_enter_user

/* SYSCALL (LSTAR): rcx = user rip, r11 = user rflags, rsp still the user's; IF, TF, DF, AC
 * cleared by FMASK. Builds the frame an interrupt would have pushed, then joins below. */
    .globl keel_x86_syscall_entry
    .type keel_x86_syscall_entry, @function
    .balign 16
keel_x86_syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %gs:PERCPU_KERNEL_RSP, %rsp
    pushq $USER_DATA_SELECTOR
    pushq %gs:PERCPU_USER_RSP
    pushq %r11
    pushq $USER_CODE_SELECTOR
    pushq %rcx
    pushq $0                       /* error code */
    pushq $VECTOR_SYSCALL
    jmp user_trap_gs_swapped
    .size keel_x86_syscall_entry, . - keel_x86_syscall_entry

/* From entry.S's stubs when the interrupted CS is a user one: the CPU's frame, error code and
 * vector are on the stack at rsp0 (16-aligned, so the call below is aligned too). */
    .globl keel_x86_user_trap_entry
    .type keel_x86_user_trap_entry, @function
    .balign 16
keel_x86_user_trap_entry:
    swapgs
user_trap_gs_swapped:
    save_registers
    xorl %ebp, %ebp                /* backtraces stop here rather than in user memory */
    movq %rsp, %rdi                /* TrapFrame* */
    call keel_x86_user_trap
    movq %gs:PERCPU_KERNEL_RSP, %rsp
    popq %rdi
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret                            /* from keel_x86_enter_user */
    .size keel_x86_user_trap_entry, . - keel_x86_user_trap_entry
