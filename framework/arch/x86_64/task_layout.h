/* x86_64: where a TaskContext (arch/task.h) keeps each saved register, as byte offsets into its
 * words. Plain #defines so task_switch.S reads them; task.cc checks them with static_assert.
 * Only what the SysV ABI makes callee-saved is kept, plus RSP and RFLAGS: switch_context is an
 * ordinary call, so the caller-saved registers are the compiler's to preserve. */
#pragma once

#define TASK_CONTEXT_RSP 0
#define TASK_CONTEXT_RBX 8
#define TASK_CONTEXT_RBP 16
#define TASK_CONTEXT_R12 24
#define TASK_CONTEXT_R13 32
#define TASK_CONTEXT_R14 40
#define TASK_CONTEXT_R15 48
#define TASK_CONTEXT_RFLAGS 56
#define TASK_CONTEXT_SIZE 64
