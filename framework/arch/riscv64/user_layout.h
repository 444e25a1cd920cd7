/* riscv64: the layout of UserRegisters::gp (arch/user_mode.h) that user_entry.S and user_mode.cc
 * share: word 0 the pc (sepc), word n register xn (n = 1..31), then the CSRs a trap from U
 * leaves. UserRegisters::fp: f0-f31 at 8 * n, then fcsr (user_fp.S). */
#pragma once

#define USER_PC 0
#define USER_SSTATUS (32 * 8) /* sstatus at the trap (for logs; entry builds its own) */
#define USER_SCAUSE (33 * 8)
#define USER_STVAL (34 * 8)
#define USER_FCSR (32 * 8) /* in UserRegisters::fp */

/* keel_riscv_enter_user's frame on the kernel stack: ra, gp, tp, s0-s11. */
#define ENTER_FRAME_SIZE 128
