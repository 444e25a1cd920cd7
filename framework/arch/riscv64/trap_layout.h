/* riscv64: the byte offsets trap_entry.S and trap.cc share, for the per-CPU trap block (TrapCpu)
 * and the register frame a trap saves (TrapFrame). Plain #defines so the assembler reads them;
 * trap.h checks them against the C++ structs with static_assert. */
#pragma once

/* TrapCpu: what sscratch points at while the hart runs kernel code. */
#define TRAP_CPU_SAVED_T0 0 /* scratch: the interrupted t0, t1 and sp during entry */
#define TRAP_CPU_SAVED_T1 8
#define TRAP_CPU_SAVED_SP 16
#define TRAP_CPU_SAVED_LIMIT 24 /* stack_limit as the trap found it */
#define TRAP_CPU_STACK_LIMIT 32 /* lowest address the current kernel stack may use */
#define TRAP_CPU_EMERGENCY_TOP 40
#define TRAP_CPU_IN_ENTRY 48 /* non-zero while trap entry stores a frame */
#define TRAP_CPU_EMERGENCY_ENTRIES 56
#define TRAP_CPU_USER_REGS 64 /* user_entry.S: the UserRegisters of the user code running here */
#define TRAP_CPU_KERNEL_SP 72 /* user_entry.S: the kernel sp to return to on a trap from U */
#define TRAP_CPU_SIZE 128

/* TrapFrame: x1..x31 at 8 * register number (slot 0, x0's, stays unused), then the CSRs. */
#define TRAP_FRAME_SEPC 256
#define TRAP_FRAME_SSTATUS 264
#define TRAP_FRAME_SCAUSE 272
#define TRAP_FRAME_STVAL 280
#define TRAP_FRAME_STACK_LIMIT 288
#define TRAP_FRAME_RECORD 296 /* {interrupted s0, sepc}: a frame record for backtraces */
#define TRAP_FRAME_SIZE 320   /* a multiple of 16: the ABI's stack alignment */

#define EMERGENCY_STACK_SIZE 16384
