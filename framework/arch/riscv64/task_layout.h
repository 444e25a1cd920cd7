/* riscv64: where switch_context.S keeps a task's registers inside TaskContext::words (byte
 * offsets; task.cc checks them against the 32 words with static_assert). ra, sp and s0-s11 are
 * what the psABI says a call preserves; sstatus.SUM (may S-mode touch user pages) is per hart but
 * belongs to the task, so it travels with the task too. rv64imac: no FP registers to keep. */
#pragma once

#define TASK_RA 0
#define TASK_SP 8
#define TASK_S0 16       /* s0..s11 at TASK_S0 + 8 * n */
#define TASK_SSTATUS 112 /* only the SUM bit */
#define TASK_CONTEXT_USED 120

#define TASK_SSTATUS_SUM (1 << 18)
