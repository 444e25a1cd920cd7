/* riscv64: assembly the task ktests need (ktests_tasks.cc).
 *
 * u64 keel_riscv_yield_with_patterns(u64 seed, void (*between)(), u64 rounds): fills s0-s11
 * (the registers a call preserves, besides ra and sp) with seed + their register number, then
 * `rounds` times calls between (which yields to other tasks) and checks them all. Returns 0 when
 * every register came back, else the number of the first that did not. Its own state lives on
 * the stack, so a wrong sp after a switch shows up too (as a bad return or a wrong count). s0 is
 * a pattern, not a frame pointer, while between runs: nothing may take a backtrace meanwhile. */

#include "ktests_frame.inc"

    .macro fill reg, n
    addi    \reg, a0, \n
    .endm
    .macro check reg, n
    addi    t0, a0, \n
    beq     \reg, t0, 1f
    li      a0, \n
    j       .Lyield_return
1:
    .endm

    .text
    .balign 4
    .globl keel_riscv_yield_with_patterns
keel_riscv_yield_with_patterns:
    ktest_frame_push
    sd      a0, 104(sp)
    sd      a1, 112(sp)
    sd      a2, 120(sp)
    fill    x8, 8
    fill    x9, 9
    fill    x18, 18
    fill    x19, 19
    fill    x20, 20
    fill    x21, 21
    fill    x22, 22
    fill    x23, 23
    fill    x24, 24
    fill    x25, 25
    fill    x26, 26
    fill    x27, 27
.Lyield_loop:
    ld      t0, 112(sp)
    jalr    t0
    ld      a0, 104(sp)
    check   x8, 8
    check   x9, 9
    check   x18, 18
    check   x19, 19
    check   x20, 20
    check   x21, 21
    check   x22, 22
    check   x23, 23
    check   x24, 24
    check   x25, 25
    check   x26, 26
    check   x27, 27
    ld      t0, 120(sp)
    addi    t0, t0, -1
    sd      t0, 120(sp)
    bnez    t0, .Lyield_loop
    li      a0, 0

.Lyield_return:
    ktest_frame_pop
    ret
