/* x86_64: assembly the task ktests need (task_ktests.cc).
 *
 * u64 keel_x86_switch_with_patterns(u64 seed, void (*yield)())
 *   Fills every callee-saved register (RBX, RBP, R12-R15) with seed + its number, calls yield,
 *   which switches to other tasks and back, then checks them. Returns 0 when all came back, or
 *   the number of the first one that did not. Keeps the caller's values on its own stack, so it
 *   is an ordinary function for the C++ that calls it; only RBP is not a frame pointer across
 *   the call (nothing walks the frame chain meanwhile unless the kernel dies). */

/* Leaves \n in EAX and returns when reg is not seed (in RCX) + n. MOV keeps the flags. */
    .macro check reg, n
    leaq    \n(%rcx), %rdx
    cmpq    %rdx, \reg
    movl    $\n, %eax
    jne     1f
    .endm

    .section .text.task_ktests, "ax"
    .globl keel_x86_switch_with_patterns
    .type keel_x86_switch_with_patterns, @function
    .balign 16
keel_x86_switch_with_patterns:
    pushq   %rbp
    movq    %rsp, %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    pushq   %rdi                   /* the seed; also re-aligns RSP to 16 for the call */

    leaq    1(%rdi), %rbx
    leaq    2(%rdi), %rbp
    leaq    3(%rdi), %r12
    leaq    4(%rdi), %r13
    leaq    5(%rdi), %r14
    leaq    6(%rdi), %r15
    call    *%rsi

    movq    (%rsp), %rcx           /* the seed */
    check   %rbx, 1
    check   %rbp, 2
    check   %r12, 3
    check   %r13, 4
    check   %r14, 5
    check   %r15, 6
    xorl    %eax, %eax
1:
    addq    $8, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret
    .size keel_x86_switch_with_patterns, . - keel_x86_switch_with_patterns
