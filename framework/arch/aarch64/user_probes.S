// The machine code of the user-mode ktests' probes (arch/user_mode.h UserProbe), as data: each
// between its start and end labels, copied into a user page and run at EL0. Position
// independent; the input is the u64 at [sp] at entry; syscalls are svc #0 with the number in x8.

    .arch armv8-a+fp+simd
    .section .rodata.keel_user_probes, "a"
    .balign 4

// The end of every probe: syscall 103 forever.
.macro syscall_103_forever
9:  mov x8, #103
    svc #0
    b 9b
.endm

    .globl keel_probe_syscall_echo, keel_probe_syscall_echo_end
keel_probe_syscall_echo:
    ldr x19, [sp]
    mov x0, #11
    mov x1, #12
    mov x2, #13
    mov x3, #14
    mov x4, #15
    mov x5, #16
    mov x8, #100
    svc #0
    mrs x1, tpidr_el0           // x0: the result of the first
    mov x2, x19
    mov x8, #101
    svc #0
    syscall_103_forever
keel_probe_syscall_echo_end:

    .globl keel_probe_load_from_input, keel_probe_load_from_input_end
keel_probe_load_from_input:
    ldr x1, [sp]
    ldr x0, [x1]
    mov x8, #100
    svc #0
    syscall_103_forever
keel_probe_load_from_input_end:

    .globl keel_probe_store_to_input, keel_probe_store_to_input_end
keel_probe_store_to_input:
    ldr x1, [sp]
    mov x0, #0x5a5a
    str x0, [x1]
    mov x8, #100
    svc #0
    syscall_103_forever
keel_probe_store_to_input_end:

    .globl keel_probe_jump_to_input, keel_probe_jump_to_input_end
keel_probe_jump_to_input:
    ldr x0, [sp]
    br x0
keel_probe_jump_to_input_end:

    .globl keel_probe_illegal_instruction, keel_probe_illegal_instruction_end
keel_probe_illegal_instruction:
    udf #0
keel_probe_illegal_instruction_end:

    .globl keel_probe_breakpoint, keel_probe_breakpoint_end
keel_probe_breakpoint:
    brk #0
keel_probe_breakpoint_end:

    .globl keel_probe_spin, keel_probe_spin_end
keel_probe_spin:
1:  b 1b
keel_probe_spin_end:

    .globl keel_probe_fp_registers, keel_probe_fp_registers_end
keel_probe_fp_registers:
    ldr x0, [sp]
    fmov d0, x0
    fmov d31, x0
    mvn x1, x0
    fmov d1, x1
    mov x8, #100
    svc #0
    fmov x0, d0
    fmov x1, d1
    fmov x2, d31
    mov x8, #101
    svc #0
    syscall_103_forever
keel_probe_fp_registers_end:
