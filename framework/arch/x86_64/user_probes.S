/* x86_64 machine code for the framework's user-mode ktests (arch/user_mode.h, UserProbe): data
 * in .rodata, copied into a user page by the test. Position independent. */
    .section .rodata.keel_x86_user_probes, "a"

#define PROBE(name) .globl name; name:

/* Syscall 103 forever: the tail of every probe that ends. */
.macro forever_103
1:  movl $103, %eax
    syscall
    jmp 1b
.endm

PROBE(keel_x86_probe_syscall_echo)
    movq (%rsp), %r12
    movl $100, %eax
    movl $11, %edi
    movl $12, %esi
    movl $13, %edx
    movl $14, %r10d
    movl $15, %r8d
    movl $16, %r9d
    syscall
    movq %rax, %rdi
    rdfsbase %rsi
    movq %r12, %rdx
    movl $101, %eax
    syscall
    forever_103
PROBE(keel_x86_probe_load_from_input)
    movq (%rsp), %rax
    movq (%rax), %rdi
    movl $100, %eax
    syscall
    forever_103
PROBE(keel_x86_probe_store_to_input)
    movq (%rsp), %rax
    movq $0x5a5a, (%rax)
    movl $100, %eax
    syscall
    forever_103
PROBE(keel_x86_probe_jump_to_input)
    movq (%rsp), %rax
    jmpq *%rax
PROBE(keel_x86_probe_illegal_instruction)
    ud2
PROBE(keel_x86_probe_breakpoint)
    int3
    forever_103
PROBE(keel_x86_probe_spin)
1:  jmp 1b
PROBE(keel_x86_probe_fp_registers)
    movq (%rsp), %rax
    movq %rax, %xmm0
    movq %rax, %xmm15
    notq %rax
    movq %rax, %xmm1
    movl $100, %eax
    syscall
    movq %xmm0, %rdi
    movq %xmm1, %rsi
    movq %xmm15, %rdx
    movl $101, %eax
    syscall
    forever_103
PROBE(keel_x86_probe_end)
