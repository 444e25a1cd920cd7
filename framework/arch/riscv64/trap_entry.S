/* riscv64 kernel trap entry (stvec, direct mode) and return. Design in trap.h: the frame goes on
 * the interrupted kernel stack unless it would not fit above that stack's limit, or the previous
 * entry faulted while storing its frame; then on this CPU's emergency stack. Nothing is stored
 * on a stack before that check, so an overflowed stack is never touched. Offsets: trap_layout.h. */

#include "trap_layout.h"

#define SSTATUS_SUM (1 << 18)
#define SSTATUS_SPP (1 << 8)

    .text
    .balign 4
    .globl keel_riscv_trap_entry
keel_riscv_trap_entry:
    /* sscratch holds this CPU's TrapCpu; borrow t0 and t1 through it, then put it back at once,
     * so that a fault further down finds sscratch as it should be. */
    csrrw   t0, sscratch, t0
    sd      t1, TRAP_CPU_SAVED_T1(t0)
    /* From U-mode (sstatus.SPP clear): user_entry.S saves the user registers into their
     * UserRegisters and returns from enter_user on the kernel stack it left. */
    csrr    t1, sstatus
    andi    t1, t1, SSTATUS_SPP
    bnez    t1, 3f
    j       keel_riscv_user_trap
3:  csrr    t1, sscratch
    sd      t1, TRAP_CPU_SAVED_T0(t0)
    csrw    sscratch, t0
    sd      sp, TRAP_CPU_SAVED_SP(t0)

    /* Would the frame go below the stack's limit (sp in or near the guard page)? Kernel stacks
     * lie within 2^63 of each other, so the signed difference is exact. */
    ld      t1, TRAP_CPU_STACK_LIMIT(t0)
    sd      t1, TRAP_CPU_SAVED_LIMIT(t0)
    sub     t1, sp, t1
    addi    t1, t1, -TRAP_FRAME_SIZE
    bltz    t1, 1f
    /* Did the previous entry fault while storing its frame (a stack that is unmapped although
     * above its limit)? Its scratch values are lost then; the new fault is reported. */
    ld      t1, TRAP_CPU_IN_ENTRY(t0)
    beqz    t1, 2f
1:  ld      sp, TRAP_CPU_EMERGENCY_TOP(t0)
    li      t1, EMERGENCY_STACK_SIZE
    sub     t1, sp, t1
    sd      t1, TRAP_CPU_STACK_LIMIT(t0)   /* a nested trap stays below this frame */
    ld      t1, TRAP_CPU_EMERGENCY_ENTRIES(t0)
    addi    t1, t1, 1
    sd      t1, TRAP_CPU_EMERGENCY_ENTRIES(t0)
2:  li      t1, 1
    sd      t1, TRAP_CPU_IN_ENTRY(t0)
    addi    sp, sp, -TRAP_FRAME_SIZE
    sd      x1, 1 * 8(sp)
    sd      x3, 3 * 8(sp)
    sd      x4, 4 * 8(sp)
    sd      x7, 7 * 8(sp)
    sd      x8, 8 * 8(sp)
    sd      x9, 9 * 8(sp)
    sd      x10, 10 * 8(sp)
    sd      x11, 11 * 8(sp)
    sd      x12, 12 * 8(sp)
    sd      x13, 13 * 8(sp)
    sd      x14, 14 * 8(sp)
    sd      x15, 15 * 8(sp)
    sd      x16, 16 * 8(sp)
    sd      x17, 17 * 8(sp)
    sd      x18, 18 * 8(sp)
    sd      x19, 19 * 8(sp)
    sd      x20, 20 * 8(sp)
    sd      x21, 21 * 8(sp)
    sd      x22, 22 * 8(sp)
    sd      x23, 23 * 8(sp)
    sd      x24, 24 * 8(sp)
    sd      x25, 25 * 8(sp)
    sd      x26, 26 * 8(sp)
    sd      x27, 27 * 8(sp)
    sd      x28, 28 * 8(sp)
    sd      x29, 29 * 8(sp)
    sd      x30, 30 * 8(sp)
    sd      x31, 31 * 8(sp)
    ld      t1, TRAP_CPU_SAVED_SP(t0)
    sd      t1, 2 * 8(sp)
    ld      t1, TRAP_CPU_SAVED_T0(t0)
    sd      t1, 5 * 8(sp)
    ld      t1, TRAP_CPU_SAVED_T1(t0)
    sd      t1, 6 * 8(sp)
    ld      t1, TRAP_CPU_SAVED_LIMIT(t0)
    sd      t1, TRAP_FRAME_STACK_LIMIT(sp)
    csrr    t1, sepc
    sd      t1, TRAP_FRAME_SEPC(sp)
    sd      t1, TRAP_FRAME_RECORD + 8(sp)
    sd      s0, TRAP_FRAME_RECORD(sp)
    csrr    t1, sstatus
    sd      t1, TRAP_FRAME_SSTATUS(sp)
    csrr    t1, scause
    sd      t1, TRAP_FRAME_SCAUSE(sp)
    csrr    t1, stval
    sd      t1, TRAP_FRAME_STVAL(sp)
    sd      zero, TRAP_CPU_IN_ENTRY(t0)

    /* The handler gets no access to user pages it did not ask for (sret restores SUM). */
    li      t1, SSTATUS_SUM
    csrc    sstatus, t1
    /* A frame record {interrupted s0, sepc}: backtraces run on through the trapped code. */
    addi    s0, sp, TRAP_FRAME_RECORD + 16
    mv      a0, sp
    call    keel_riscv_trap

    /* keel_riscv_trap returned: the trap is handled (an interrupt, a fixup); resume where the
     * frame says, with every register as saved and the stack limit the trap found. */
    csrr    t0, sscratch
    ld      t1, TRAP_FRAME_STACK_LIMIT(sp)
    sd      t1, TRAP_CPU_STACK_LIMIT(t0)
    ld      t1, TRAP_FRAME_SEPC(sp)
    csrw    sepc, t1
    ld      t1, TRAP_FRAME_SSTATUS(sp)
    csrw    sstatus, t1
    ld      x1, 1 * 8(sp)
    ld      x3, 3 * 8(sp)
    /* Not x4 (tp): it is this CPU's index, and the interrupted task may resume on another CPU
     * than the one that saved its frame (preempted here, switched back in there). */
    ld      x5, 5 * 8(sp)
    ld      x6, 6 * 8(sp)
    ld      x7, 7 * 8(sp)
    ld      x8, 8 * 8(sp)
    ld      x9, 9 * 8(sp)
    ld      x10, 10 * 8(sp)
    ld      x11, 11 * 8(sp)
    ld      x12, 12 * 8(sp)
    ld      x13, 13 * 8(sp)
    ld      x14, 14 * 8(sp)
    ld      x15, 15 * 8(sp)
    ld      x16, 16 * 8(sp)
    ld      x17, 17 * 8(sp)
    ld      x18, 18 * 8(sp)
    ld      x19, 19 * 8(sp)
    ld      x20, 20 * 8(sp)
    ld      x21, 21 * 8(sp)
    ld      x22, 22 * 8(sp)
    ld      x23, 23 * 8(sp)
    ld      x24, 24 * 8(sp)
    ld      x25, 25 * 8(sp)
    ld      x26, 26 * 8(sp)
    ld      x27, 27 * 8(sp)
    ld      x28, 28 * 8(sp)
    ld      x29, 29 * 8(sp)
    ld      x30, 30 * 8(sp)
    ld      x31, 31 * 8(sp)
    ld      x2, 2 * 8(sp)
    sret

/* keel_riscv_probe_read(a0 = address, a1 = where to put the u64): 0 when the load worked, 1 when
 * it faulted. trap.cc sends a fault at keel_riscv_probe_load to keel_riscv_probe_fixup. */
    .balign 4
    .globl keel_riscv_probe_read, keel_riscv_probe_load, keel_riscv_probe_fixup
keel_riscv_probe_read:
keel_riscv_probe_load:
    ld      t0, 0(a0)
    sd      t0, 0(a1)
    li      a0, 0
    ret
keel_riscv_probe_fixup:
    li      a0, 1
    ret

/* keel_riscv_probe_stimecmp(a0 = value, a1 = where to put what reads back): 0 when Sstc's
 * stimecmp (CSR 0x14d) could be written and read, 1 when the access was an illegal instruction
 * (no Sstc, or the firmware left menvcfg.STCE clear). trap.cc sends an illegal-instruction trap
 * between keel_riscv_probe_csr_first and keel_riscv_probe_csr_end to keel_riscv_probe_csr_fixup. */
    .balign 4
    .globl keel_riscv_probe_stimecmp, keel_riscv_probe_csr_first, keel_riscv_probe_csr_end
    .globl keel_riscv_probe_csr_fixup
keel_riscv_probe_stimecmp:
keel_riscv_probe_csr_first:
    csrw    0x14d, a0
    csrr    t0, 0x14d
keel_riscv_probe_csr_end:
    sd      t0, 0(a1)
    li      a0, 0
    ret
keel_riscv_probe_csr_fixup:
    li      a0, 1
    ret

    /* The boot CPU's trap block and emergency stack (SMP gives the others theirs). */
    .section .bss.keel_riscv_trap, "aw", @nobits
    .balign 64
    .globl keel_riscv_boot_trap_cpu
keel_riscv_boot_trap_cpu:
    .skip   TRAP_CPU_SIZE
    .balign 4096
    .globl keel_riscv_emergency_stack_bottom, keel_riscv_emergency_stack_top
keel_riscv_emergency_stack_bottom:
    .skip   EMERGENCY_STACK_SIZE
keel_riscv_emergency_stack_top:
