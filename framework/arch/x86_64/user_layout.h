/* x86_64 user mode: where UserRegisters::gp keeps each register (byte offsets), the per-CPU
 * block's user-mode words (offsets from GS base; smp.cc's PerCpu), the selectors the entry
 * builds its frames with, and the pseudo-vector a SYSCALL is recorded under. Plain #defines so
 * the .S files read them; user_mode.cc and smp.cc check them with static_assert. */
#pragma once

#define USER_RAX 0
#define USER_RBX 8
#define USER_RCX 16
#define USER_RDX 24
#define USER_RSI 32
#define USER_RDI 40
#define USER_RBP 48
#define USER_R8 56
#define USER_R9 64
#define USER_R10 72
#define USER_R11 80
#define USER_R12 88
#define USER_R13 96
#define USER_R14 104
#define USER_R15 112
#define USER_RIP 120
#define USER_RSP 128
#define USER_RFLAGS 136
#define USER_FS_BASE 144
#define USER_GS_BASE 152

#define PERCPU_KERNEL_RSP 16 /* enter_user's frame: where a trap from user mode lands */
#define PERCPU_USER_RSP 24   /* scratch: the user rsp while SYSCALL's entry switches stacks */

#define USER_CODE_SELECTOR 0x23
#define USER_DATA_SELECTOR 0x1b

#define VECTOR_SYSCALL 0x100
