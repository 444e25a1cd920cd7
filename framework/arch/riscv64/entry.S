/* riscv64 boot entry: the Linux RISC-V Image header, then the path from the bootloader's
 * S-mode handoff (MMU off, a0 = hart id, a1 = DTB physical address) to keel_riscv_main() in the
 * high half. Until the MMU is on this code runs wherever the bootloader put it, so it uses
 * PC-relative addressing (lla) only. */

#include "trap_layout.h"

#define SSTATUS_SIE 0x2
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_SRST 0x53525354

    .section .head.text, "ax"
    .globl _start
_start:
    /* The header's layout is fixed, so no compressed instructions may shift it. */
    .option push
    .option norvc
    j       real_start              /* code0 */
    .word   0                       /* code1 */
    .quad   0x200000                /* text_offset: Linux's value for RV64 */
    .quad   __image_size            /* image_size, bss included */
    .quad   0                       /* flags: little endian */
    .word   2                       /* header version 0.2 */
    .word   0                       /* res1 */
    .quad   0                       /* res2 */
    .ascii  "RISCV\0\0\0"           /* magic (deprecated) */
    .ascii  "RSC\x05"               /* magic2 */
    .word   0                       /* res3: no PE/COFF header */
    .option pop

real_start:
    csrw    sie, zero
    csrci   sstatus, SSTATUS_SIE
    lla     t0, early_trap
    csrw    stvec, t0
    li      tp, 0                   /* arch::cpu_index(): the boot CPU is 0 (smp.cc) */
    mv      s1, a0                  /* hart id */
    mv      s2, a1                  /* DTB */

    /* bss holds the boot stack and the boot page tables: clear it before using either. */
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    lla     sp, boot_stack_top
    li      s0, 0                   /* ends frame-pointer backtraces */

    /* Builds the page tables and turns the MMU on with the image also identity mapped, so the
     * next instruction is still reachable. Returns 0 when no paging mode works. */
    lla     a0, _start
    call    keel_riscv_enable_paging
    beqz    a0, early_trap

    /* Jump to the link address: the literal holds it as an absolute value. */
    lla     t0, high_entry_address
    ld      t0, 0(t0)
    jr      t0

high_entry:
    lla     sp, boot_stack_top      /* PC-relative again, so now the high-half address */
    li      s0, 0
    /* Kernel traps (trap_entry.S, trap.h): sscratch points at this CPU's trap block, which
     * knows the running stack's lower limit and the emergency stack. */
    lla     t0, keel_riscv_boot_trap_cpu
    lla     t1, boot_stack_bottom
    sd      t1, TRAP_CPU_STACK_LIMIT(t0)
    lla     t1, keel_riscv_emergency_stack_top
    sd      t1, TRAP_CPU_EMERGENCY_TOP(t0)
    csrw    sscratch, t0
    lla     t0, keel_riscv_trap_entry
    csrw    stvec, t0
    call    keel_riscv_drop_identity_map
    mv      a0, s1
    mv      a1, s2
    call    keel_riscv_main         /* never returns */
    j       early_trap

    .balign 8
high_entry_address:
    .quad   high_entry

/* Traps before the console works, or a boot that cannot go on: say so through the SBI legacy
 * console, then ask SBI for a "system failure" shutdown so QEMU exits non-zero instead of
 * hanging. Position independent, so it serves before and after the MMU is on. */
    .balign 4
early_trap:
    lla     s3, early_trap_message
3:  lbu     a0, 0(s3)
    beqz    a0, 4f
    li      a7, SBI_EXT_LEGACY_PUTCHAR
    ecall
    addi    s3, s3, 1
    j       3b
4:  li      a7, SBI_EXT_SRST
    li      a6, 0                   /* system_reset */
    li      a0, 0                   /* shutdown */
    li      a1, 1                   /* system failure */
    ecall
5:  wfi
    j       5b

    .section .rodata
early_trap_message:
    .asciz  "\r\nkeel: trap or failure during early boot; powering off\r\n"

    /* The boot CPU's stack; arch::boot_stack() reports these bounds to the backtracer. kernel.ld
     * puts it first in bss, right above its guard page. */
    .section .bss.boot_stack, "aw", @nobits
    .balign 4096
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip   64 * 1024
boot_stack_top:
