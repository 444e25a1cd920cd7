/* riscv64: the task switch (task.cc has the C++ half; offsets in task_layout.h). Interrupts are
 * masked throughout, so nothing runs between the stores and the loads. */

#include "task_layout.h"

    .text
    .balign 4
/* keel_riscv_switch_context(a0 = &from, a1 = &to), both TaskContexts: saves ra, sp, s0-s11 and
 * sstatus.SUM in from, loads to's and returns into to: at the call that saved it, or, for a new
 * task, at keel_riscv_task_start. */
    .globl keel_riscv_switch_context
keel_riscv_switch_context:
    sd      ra, TASK_RA(a0)
    sd      sp, TASK_SP(a0)
    sd      s0, TASK_S0 + 0 * 8(a0)
    sd      s1, TASK_S0 + 1 * 8(a0)
    sd      s2, TASK_S0 + 2 * 8(a0)
    sd      s3, TASK_S0 + 3 * 8(a0)
    sd      s4, TASK_S0 + 4 * 8(a0)
    sd      s5, TASK_S0 + 5 * 8(a0)
    sd      s6, TASK_S0 + 6 * 8(a0)
    sd      s7, TASK_S0 + 7 * 8(a0)
    sd      s8, TASK_S0 + 8 * 8(a0)
    sd      s9, TASK_S0 + 9 * 8(a0)
    sd      s10, TASK_S0 + 10 * 8(a0)
    sd      s11, TASK_S0 + 11 * 8(a0)
    li      t1, TASK_SSTATUS_SUM
    csrr    t0, sstatus
    and     t0, t0, t1
    sd      t0, TASK_SSTATUS(a0)

    ld      t0, TASK_SSTATUS(a1)
    csrc    sstatus, t1
    csrs    sstatus, t0
    ld      ra, TASK_RA(a1)
    ld      sp, TASK_SP(a1)
    ld      s0, TASK_S0 + 0 * 8(a1)
    ld      s1, TASK_S0 + 1 * 8(a1)
    ld      s2, TASK_S0 + 2 * 8(a1)
    ld      s3, TASK_S0 + 3 * 8(a1)
    ld      s4, TASK_S0 + 4 * 8(a1)
    ld      s5, TASK_S0 + 5 * 8(a1)
    ld      s6, TASK_S0 + 6 * 8(a1)
    ld      s7, TASK_S0 + 7 * 8(a1)
    ld      s8, TASK_S0 + 8 * 8(a1)
    ld      s9, TASK_S0 + 9 * 8(a1)
    ld      s10, TASK_S0 + 10 * 8(a1)
    ld      s11, TASK_S0 + 11 * 8(a1)
    ret

/* A new task's first instructions: init_task_context left entry in s1, its argument in s2, s0 = 0
 * and sp at the stack's top. entry is entered with ra = 0 and s0 = 0, so the frame record its
 * prologue stores is {0, 0}: backtraces end at entry, the task's first frame. entry never
 * returns (were it to, the jump to 0 would be reported as a fault at pc 0). */
    .balign 4
    .globl keel_riscv_task_start
keel_riscv_task_start:
    mv      a0, s2
    mv      t0, s1
    li      s1, 0
    li      s2, 0
    li      ra, 0
    jr      t0
