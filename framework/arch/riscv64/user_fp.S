/* riscv64: the user FP state (f0-f31 and fcsr, UserRegisters::fp as user_layout.h lays it out)
 * and the ktests' user probes (arch/user_mode.h). The kernel is built rv64imac; arch.cmake builds
 * this one file with the D extension, which is where FP instructions may appear. The FP unit is
 * on (sstatus.FS) only from keel_riscv_fp_load to keel_riscv_fp_save: while user code runs. */

#include "user_layout.h"

#define SSTATUS_FS (3 << 13)
#define SSTATUS_FS_CLEAN (2 << 13)

    .text
    .balign 4
/* keel_riscv_fp_load(a0 = UserRegisters::fp): turns the FP unit on and loads the user state. */
    .globl keel_riscv_fp_load
keel_riscv_fp_load:
    li      t0, SSTATUS_FS
    csrc    sstatus, t0
    li      t0, SSTATUS_FS_CLEAN
    csrs    sstatus, t0
    fld     f0, 0 * 8(a0)
    fld     f1, 1 * 8(a0)
    fld     f2, 2 * 8(a0)
    fld     f3, 3 * 8(a0)
    fld     f4, 4 * 8(a0)
    fld     f5, 5 * 8(a0)
    fld     f6, 6 * 8(a0)
    fld     f7, 7 * 8(a0)
    fld     f8, 8 * 8(a0)
    fld     f9, 9 * 8(a0)
    fld     f10, 10 * 8(a0)
    fld     f11, 11 * 8(a0)
    fld     f12, 12 * 8(a0)
    fld     f13, 13 * 8(a0)
    fld     f14, 14 * 8(a0)
    fld     f15, 15 * 8(a0)
    fld     f16, 16 * 8(a0)
    fld     f17, 17 * 8(a0)
    fld     f18, 18 * 8(a0)
    fld     f19, 19 * 8(a0)
    fld     f20, 20 * 8(a0)
    fld     f21, 21 * 8(a0)
    fld     f22, 22 * 8(a0)
    fld     f23, 23 * 8(a0)
    fld     f24, 24 * 8(a0)
    fld     f25, 25 * 8(a0)
    fld     f26, 26 * 8(a0)
    fld     f27, 27 * 8(a0)
    fld     f28, 28 * 8(a0)
    fld     f29, 29 * 8(a0)
    fld     f30, 30 * 8(a0)
    fld     f31, 31 * 8(a0)
    ld      t0, USER_FCSR(a0)
    fscsr   t0
    ret

/* keel_riscv_fp_save(a0 = UserRegisters::fp): stores the user state and turns the FP unit off. */
    .globl keel_riscv_fp_save
keel_riscv_fp_save:
    fsd     f0, 0 * 8(a0)
    fsd     f1, 1 * 8(a0)
    fsd     f2, 2 * 8(a0)
    fsd     f3, 3 * 8(a0)
    fsd     f4, 4 * 8(a0)
    fsd     f5, 5 * 8(a0)
    fsd     f6, 6 * 8(a0)
    fsd     f7, 7 * 8(a0)
    fsd     f8, 8 * 8(a0)
    fsd     f9, 9 * 8(a0)
    fsd     f10, 10 * 8(a0)
    fsd     f11, 11 * 8(a0)
    fsd     f12, 12 * 8(a0)
    fsd     f13, 13 * 8(a0)
    fsd     f14, 14 * 8(a0)
    fsd     f15, 15 * 8(a0)
    fsd     f16, 16 * 8(a0)
    fsd     f17, 17 * 8(a0)
    fsd     f18, 18 * 8(a0)
    fsd     f19, 19 * 8(a0)
    fsd     f20, 20 * 8(a0)
    fsd     f21, 21 * 8(a0)
    fsd     f22, 22 * 8(a0)
    fsd     f23, 23 * 8(a0)
    fsd     f24, 24 * 8(a0)
    fsd     f25, 25 * 8(a0)
    fsd     f26, 26 * 8(a0)
    fsd     f27, 27 * 8(a0)
    fsd     f28, 28 * 8(a0)
    fsd     f29, 29 * 8(a0)
    fsd     f30, 30 * 8(a0)
    fsd     f31, 31 * 8(a0)
    frcsr   t0
    sd      t0, USER_FCSR(a0)
    li      t0, SSTATUS_FS
    csrc    sstatus, t0
    ret

/* The probes: position-independent user code, copied into a user page by the ktests. */
    .section .rodata.keel_riscv_user_probes, "a"
    .option push
    .option norelax
    .balign 4

    .globl keel_riscv_probe_syscall_echo, keel_riscv_probe_syscall_echo_end
keel_riscv_probe_syscall_echo:
    li      a0, 11
    li      a1, 12
    li      a2, 13
    li      a3, 14
    li      a4, 15
    li      a5, 16
    li      a7, 100
    ecall
    mv      a1, tp
    ld      a2, 0(sp)
    li      a7, 101
    ecall
1:  li      a7, 103
    ecall
    j       1b
keel_riscv_probe_syscall_echo_end:

    .balign 4
    .globl keel_riscv_probe_load_from_input, keel_riscv_probe_load_from_input_end
keel_riscv_probe_load_from_input:
    ld      t0, 0(sp)
    ld      a0, 0(t0)
    li      a7, 100
    ecall
1:  li      a7, 103
    ecall
    j       1b
keel_riscv_probe_load_from_input_end:

    .balign 4
    .globl keel_riscv_probe_store_to_input, keel_riscv_probe_store_to_input_end
keel_riscv_probe_store_to_input:
    ld      t0, 0(sp)
    li      t1, 0x5a5a
    sd      t1, 0(t0)
    li      a7, 100
    ecall
1:  li      a7, 103
    ecall
    j       1b
keel_riscv_probe_store_to_input_end:

    .balign 4
    .globl keel_riscv_probe_jump_to_input, keel_riscv_probe_jump_to_input_end
keel_riscv_probe_jump_to_input:
    ld      t0, 0(sp)
    jr      t0
keel_riscv_probe_jump_to_input_end:

    .balign 4
    .globl keel_riscv_probe_illegal_instruction, keel_riscv_probe_illegal_instruction_end
keel_riscv_probe_illegal_instruction:
    unimp
keel_riscv_probe_illegal_instruction_end:

    .balign 4
    .globl keel_riscv_probe_breakpoint, keel_riscv_probe_breakpoint_end
keel_riscv_probe_breakpoint:
    ebreak
keel_riscv_probe_breakpoint_end:

    .balign 4
    .globl keel_riscv_probe_spin, keel_riscv_probe_spin_end
keel_riscv_probe_spin:
1:  j       1b
keel_riscv_probe_spin_end:

    .balign 4
    .globl keel_riscv_probe_fp_registers, keel_riscv_probe_fp_registers_end
keel_riscv_probe_fp_registers:
    ld      t0, 0(sp)
    not     t1, t0
    fmv.d.x f0, t0
    fmv.d.x f1, t1
    fmv.d.x f31, t0
    li      a7, 100
    ecall
    fmv.x.d a0, f0
    fmv.x.d a1, f1
    fmv.x.d a2, f31
    li      a7, 101
    ecall
1:  li      a7, 103
    ecall
    j       1b
keel_riscv_probe_fp_registers_end:

    .option pop
