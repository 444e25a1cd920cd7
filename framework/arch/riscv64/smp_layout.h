/* riscv64: the byte offsets smp_entry.S and smp.cc share for a secondary hart's start block
 * (StartBlock in smp.cc, checked there with static_assert). Plain #defines so the assembler
 * reads them. */
#pragma once

#define START_INDEX 0     /* the CPU index, for tp */
#define START_STACK_TOP 8 /* the initial stack pointer */
#define START_TRAP_CPU 16 /* the CPU's TrapCpu, for sscratch */
