/* x86_64 task switch (task.cc declares these; framework/arch/include/arch/task.h is the
 * contract). Offsets: task_layout.h. */
#include "task_layout.h"

    .section .text.task_switch, "ax"

/* void keel_x86_switch_context(u64* from, const u64* to)
 *
 * Called with interrupts masked. Saves RFLAGS and the callee-saved registers of the running
 * task into from, with RSP pointing at this call's return address; loads to's and returns
 * through to's stack: into whoever called this function on that stack, or, for a context
 * init_task_context made, into keel_x86_task_start.
 *
 * RFLAGS travels with the task: IF is clear on both sides (the contract), but AC is not
 * necessarily (an interrupt taken inside user_access_begin/end keeps AC set until IRETQ), and a
 * task switched away with AC set must not hand SMAP's bypass to the next one. */
    .globl keel_x86_switch_context
    .type keel_x86_switch_context, @function
    .balign 16
keel_x86_switch_context:
    pushfq
    popq    TASK_CONTEXT_RFLAGS(%rdi)
    movq    %rsp, TASK_CONTEXT_RSP(%rdi)
    movq    %rbx, TASK_CONTEXT_RBX(%rdi)
    movq    %rbp, TASK_CONTEXT_RBP(%rdi)
    movq    %r12, TASK_CONTEXT_R12(%rdi)
    movq    %r13, TASK_CONTEXT_R13(%rdi)
    movq    %r14, TASK_CONTEXT_R14(%rdi)
    movq    %r15, TASK_CONTEXT_R15(%rdi)

    movq    TASK_CONTEXT_RSP(%rsi), %rsp
    movq    TASK_CONTEXT_RBX(%rsi), %rbx
    movq    TASK_CONTEXT_RBP(%rsi), %rbp
    movq    TASK_CONTEXT_R12(%rsi), %r12
    movq    TASK_CONTEXT_R13(%rsi), %r13
    movq    TASK_CONTEXT_R14(%rsi), %r14
    movq    TASK_CONTEXT_R15(%rsi), %r15
    pushq   TASK_CONTEXT_RFLAGS(%rsi)
    popfq
    ret
    .size keel_x86_switch_context, . - keel_x86_switch_context

/* The first return of a new context lands here (init_task_context put this address on top of
 * its stack), with r12 = entry, r13 = arg, RBP = 0, and RSP at the stack's top word, which
 * holds 0. So entry(arg) starts as if called from nowhere: RSP = 8 mod 16 as after any CALL,
 * its prologue pushes RBP = 0 over this address, and its frame record {0, 0} ends every
 * frame-pointer walk. entry never returns (a RET would jump to 0). */
    .globl keel_x86_task_start
    .type keel_x86_task_start, @function
    .balign 16
keel_x86_task_start:
    movq    %r13, %rdi
    jmpq    *%r12
    .size keel_x86_task_start, . - keel_x86_task_start
