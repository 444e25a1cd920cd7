/* riscv64: entering user mode and coming back (user_mode.cc has the C++ half, user_layout.h the
 * register file's layout). enter_user is a call: keel_riscv_enter_user saves what the kernel
 * needs kept on the kernel stack, records that stack pointer and the UserRegisters in this CPU's
 * TrapCpu (sscratch), and srets into U-mode. Every trap from U-mode reaches trap_entry.S, which
 * sees sstatus.SPP clear and jumps to keel_riscv_user_trap below: the user registers go back into
 * the same UserRegisters, the kernel sp and registers come back, and keel_riscv_enter_user
 * returns to its caller, below whose frame nothing was ever stored. */

#include "trap_layout.h"
#include "user_layout.h"

#define SSTATUS_SPP (1 << 8)
#define SSTATUS_SPIE (1 << 5)

    .text
    .balign 4
/* keel_riscv_enter_user(a0 = UserRegisters*, a1 = this CPU's TrapCpu*): interrupts masked, the
 * user FP state already in the FP registers (user_fp.S). Returns when user code traps, with
 * sepc, sstatus, scause and stval in the register file. */
    .globl keel_riscv_enter_user
keel_riscv_enter_user:
    addi    sp, sp, -ENTER_FRAME_SIZE
    sd      ra, 0 * 8(sp)
    sd      gp, 1 * 8(sp)
    sd      tp, 2 * 8(sp)
    sd      s0, 3 * 8(sp)
    sd      s1, 4 * 8(sp)
    sd      s2, 5 * 8(sp)
    sd      s3, 6 * 8(sp)
    sd      s4, 7 * 8(sp)
    sd      s5, 8 * 8(sp)
    sd      s6, 9 * 8(sp)
    sd      s7, 10 * 8(sp)
    sd      s8, 11 * 8(sp)
    sd      s9, 12 * 8(sp)
    sd      s10, 13 * 8(sp)
    sd      s11, 14 * 8(sp)
    sd      sp, TRAP_CPU_KERNEL_SP(a1)
    sd      a0, TRAP_CPU_USER_REGS(a1)

    ld      t0, USER_PC(a0)
    csrw    sepc, t0
    li      t0, SSTATUS_SPP
    csrc    sstatus, t0             /* sret goes to U-mode */
    li      t0, SSTATUS_SPIE
    csrs    sstatus, t0             /* interrupts on there (U-mode takes S interrupts anyway) */

    ld      x1, 1 * 8(a0)
    ld      x2, 2 * 8(a0)
    ld      x3, 3 * 8(a0)
    ld      x4, 4 * 8(a0)
    ld      x5, 5 * 8(a0)
    ld      x6, 6 * 8(a0)
    ld      x7, 7 * 8(a0)
    ld      x8, 8 * 8(a0)
    ld      x9, 9 * 8(a0)
    ld      x11, 11 * 8(a0)
    ld      x12, 12 * 8(a0)
    ld      x13, 13 * 8(a0)
    ld      x14, 14 * 8(a0)
    ld      x15, 15 * 8(a0)
    ld      x16, 16 * 8(a0)
    ld      x17, 17 * 8(a0)
    ld      x18, 18 * 8(a0)
    ld      x19, 19 * 8(a0)
    ld      x20, 20 * 8(a0)
    ld      x21, 21 * 8(a0)
    ld      x22, 22 * 8(a0)
    ld      x23, 23 * 8(a0)
    ld      x24, 24 * 8(a0)
    ld      x25, 25 * 8(a0)
    ld      x26, 26 * 8(a0)
    ld      x27, 27 * 8(a0)
    ld      x28, 28 * 8(a0)
    ld      x29, 29 * 8(a0)
    ld      x30, 30 * 8(a0)
    ld      x31, 31 * 8(a0)
    ld      x10, 10 * 8(a0)
    sret

/* From trap_entry.S on a trap from U-mode: t0 = this CPU's TrapCpu, sscratch = the user's t0,
 * TrapCpu.saved_t1 = the user's t1; every other register as user code left it. */
    .balign 4
    .globl keel_riscv_user_trap
keel_riscv_user_trap:
    ld      t1, TRAP_CPU_USER_REGS(t0)
    sd      x1, 1 * 8(t1)
    sd      x2, 2 * 8(t1)
    sd      x3, 3 * 8(t1)
    sd      x4, 4 * 8(t1)
    sd      x7, 7 * 8(t1)
    sd      x8, 8 * 8(t1)
    sd      x9, 9 * 8(t1)
    sd      x10, 10 * 8(t1)
    sd      x11, 11 * 8(t1)
    sd      x12, 12 * 8(t1)
    sd      x13, 13 * 8(t1)
    sd      x14, 14 * 8(t1)
    sd      x15, 15 * 8(t1)
    sd      x16, 16 * 8(t1)
    sd      x17, 17 * 8(t1)
    sd      x18, 18 * 8(t1)
    sd      x19, 19 * 8(t1)
    sd      x20, 20 * 8(t1)
    sd      x21, 21 * 8(t1)
    sd      x22, 22 * 8(t1)
    sd      x23, 23 * 8(t1)
    sd      x24, 24 * 8(t1)
    sd      x25, 25 * 8(t1)
    sd      x26, 26 * 8(t1)
    sd      x27, 27 * 8(t1)
    sd      x28, 28 * 8(t1)
    sd      x29, 29 * 8(t1)
    sd      x30, 30 * 8(t1)
    sd      x31, 31 * 8(t1)
    ld      t2, TRAP_CPU_SAVED_T1(t0)
    sd      t2, 6 * 8(t1)
    csrrw   t2, sscratch, t0        /* the user's t0 out, the TrapCpu back for kernel traps */
    sd      t2, 5 * 8(t1)
    csrr    t2, sepc
    sd      t2, USER_PC(t1)
    csrr    t2, sstatus
    sd      t2, USER_SSTATUS(t1)
    csrr    t2, scause
    sd      t2, USER_SCAUSE(t1)
    csrr    t2, stval
    sd      t2, USER_STVAL(t1)
    sd      zero, TRAP_CPU_USER_REGS(t0)

    ld      sp, TRAP_CPU_KERNEL_SP(t0)
    ld      ra, 0 * 8(sp)
    ld      gp, 1 * 8(sp)
    ld      tp, 2 * 8(sp)           /* this CPU's index: the trap came back to the same CPU */
    ld      s0, 3 * 8(sp)
    ld      s1, 4 * 8(sp)
    ld      s2, 5 * 8(sp)
    ld      s3, 6 * 8(sp)
    ld      s4, 7 * 8(sp)
    ld      s5, 8 * 8(sp)
    ld      s6, 9 * 8(sp)
    ld      s7, 10 * 8(sp)
    ld      s8, 11 * 8(sp)
    ld      s9, 12 * 8(sp)
    ld      s10, 13 * 8(sp)
    ld      s11, 14 * 8(sp)
    addi    sp, sp, ENTER_FRAME_SIZE
    ret

/* keel_riscv_copy_user(a0 = to, a1 = from, a2 = size > 0): 0, or -1 when an access faulted.
 * keel_riscv_copy_user_string(a0 = to, a1 = from, a2 = room): bytes up to and including a NUL;
 * the length without it, room if none came, or -1 on a fault. Both open the user-access window
 * (sstatus.SUM) only while they run; trap.cc sends a memory fault between
 * keel_riscv_user_copy_begin and keel_riscv_user_copy_end to keel_riscv_user_copy_fixup. */
    .balign 4
    .globl keel_riscv_copy_user, keel_riscv_copy_user_string
    .globl keel_riscv_user_copy_begin, keel_riscv_user_copy_end, keel_riscv_user_copy_fixup
keel_riscv_user_copy_begin:
keel_riscv_copy_user:
    li      t1, 1 << 18
    csrs    sstatus, t1
    or      t0, a0, a1
    or      t0, t0, a2
    andi    t0, t0, 7
    bnez    t0, 2f
1:  ld      t0, 0(a1)               /* all aligned: words */
    sd      t0, 0(a0)
    addi    a0, a0, 8
    addi    a1, a1, 8
    addi    a2, a2, -8
    bnez    a2, 1b
    j       3f
2:  lbu     t0, 0(a1)
    sb      t0, 0(a0)
    addi    a0, a0, 1
    addi    a1, a1, 1
    addi    a2, a2, -1
    bnez    a2, 2b
3:  csrc    sstatus, t1
    li      a0, 0
    ret

keel_riscv_copy_user_string:
    li      t1, 1 << 18
    csrs    sstatus, t1
    li      t2, 0
1:  beq     t2, a2, 2f
    add     t3, a1, t2
    lbu     t0, 0(t3)
    add     t3, a0, t2
    sb      t0, 0(t3)
    beqz    t0, 2f
    addi    t2, t2, 1
    j       1b
2:  csrc    sstatus, t1
    mv      a0, t2
    ret
keel_riscv_user_copy_end:

keel_riscv_user_copy_fixup:
    li      t1, 1 << 18
    csrc    sstatus, t1
    li      a0, -1
    ret
