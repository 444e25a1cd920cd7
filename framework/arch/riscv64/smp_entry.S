/* riscv64: where SBI HSM hart_start puts a secondary hart: S-mode, the MMU off, interrupts off,
 * at this code's physical address, with a0 = hart id and a1 = the opaque value smp.cc passed
 * (the virtual address of the hart's StartBlock). Position independent until the MMU is on.
 *
 * The switch to the kernel root needs no identity map: stvec is set to the link address of the
 * instruction after the satp write, so the next fetch, from a physical address the kernel root
 * does not map (it maps only the upper half), takes an instruction page fault there, which
 * continues the same instruction stream at its link address (Linux's relocate_enable_mmu does
 * the same). */

#include "smp_layout.h"

#define SSTATUS_SIE 0x2

    .text
    .balign 4
    .globl keel_riscv_secondary_entry
keel_riscv_secondary_entry:
    csrw    sie, zero
    csrci   sstatus, SSTATUS_SIE
    mv      s1, a1                  /* the StartBlock, a virtual address */
    lla     t0, keel_riscv_secondary_satp
    ld      t0, 0(t0)               /* physical: the image is contiguous at its load address */
    lla     t1, secondary_high_address
    ld      t1, 0(t1)
    csrw    stvec, t1
    sfence.vma zero, zero
    csrw    satp, t0
    /* Not reached: the fetch of this instruction faults to secondary_high. */
    j       secondary_park

    .balign 4
secondary_high:
    sfence.vma zero, zero           /* nothing cached from before the switch */
    lla     t0, secondary_park      /* a fault from here until stvec is final parks the hart */
    csrw    stvec, t0
    ld      tp, START_INDEX(s1)     /* arch::cpu_index() from the first C++ instruction on */
    ld      sp, START_STACK_TOP(s1)
    li      s0, 0                   /* ends frame-pointer backtraces */
    ld      t0, START_TRAP_CPU(s1)
    csrw    sscratch, t0
    lla     t0, keel_riscv_trap_entry
    csrw    stvec, t0
    mv      a0, s1
    call    keel_riscv_secondary_main   /* never returns */
secondary_park:
    wfi
    j       secondary_park

    .balign 8
secondary_high_address:
    .quad   secondary_high

    .section .data
    .balign 8
    .globl keel_riscv_secondary_satp
keel_riscv_secondary_satp:
    .quad   0
