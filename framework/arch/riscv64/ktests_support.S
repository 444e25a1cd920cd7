/* riscv64: assembly the interrupt ktests need (ktests_interrupts.cc).
 *
 * u64 keel_riscv_spin_with_interrupts(const u64* flag, u64 until_ticks): fills every register
 * it can spare with a distinct pattern, sets sstatus.SIE and spins until *flag becomes non-zero
 * (an interrupt handler sets it) or the time CSR reaches until_ticks, masks interrupts again,
 * then checks the patterns. Returns 0 when every register came back from the interrupt as it
 * was, the number of the first register that did not, or ~0 on a timeout. The loop keeps its
 * own state in a0 (flag), a2 (deadline) and t0; a0 and a2 are checked against saved copies. */

#include "ktests_frame.inc"

#define SSTATUS_SIE 0x2
#define PATTERN 0x6b65656c00000000 /* "keel", then the register number */

    .macro fill reg, n
    li      \reg, PATTERN + \n
    .endm
    .macro check reg, n
    li      t0, PATTERN + \n
    beq     \reg, t0, 1f
    li      a0, \n
    j       .Lspin_return
1:
    .endm

    .text
    .balign 4
    .globl keel_riscv_spin_with_interrupts
keel_riscv_spin_with_interrupts:
    ktest_frame_push
    sd      a0, 104(sp)
    mv      a2, a1
    sd      a2, 112(sp)
    fill    x1, 1
    fill    x6, 6
    fill    x7, 7
    fill    x8, 8
    fill    x9, 9
    fill    x11, 11
    fill    x13, 13
    fill    x14, 14
    fill    x15, 15
    fill    x16, 16
    fill    x17, 17
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
    fill    x28, 28
    fill    x29, 29
    fill    x30, 30
    fill    x31, 31

    csrsi   sstatus, SSTATUS_SIE
2:  ld      t0, 0(a0)
    bnez    t0, 3f
    rdtime  t0
    bltu    t0, a2, 2b
    csrci   sstatus, SSTATUS_SIE
    li      a0, -1
    j       .Lspin_return
3:  csrci   sstatus, SSTATUS_SIE

    check   x1, 1
    check   x6, 6
    check   x7, 7
    check   x8, 8
    check   x9, 9
    check   x11, 11
    check   x13, 13
    check   x14, 14
    check   x15, 15
    check   x16, 16
    check   x17, 17
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
    check   x28, 28
    check   x29, 29
    check   x30, 30
    check   x31, 31
    ld      t0, 104(sp)
    li      t1, 10
    bne     a0, t0, 4f
    ld      t0, 112(sp)
    li      t1, 12
    bne     a2, t0, 4f
    li      a0, 0
    j       .Lspin_return
4:  mv      a0, t1

.Lspin_return:
    ktest_frame_pop
    ret
