/* The general registers of a trap frame, pushed in TrapFrame's order (traps.cc), for the
 * kernel's trap entry (entry.S) and the user trap entry (user_entry.S) alike. Assembly only. */
#pragma once

/* The CPU aligned rsp to 16 before its 5-word frame; with error code, vector and these 15
 * registers the frame is 22 words, so the call after it sees the ABI's alignment. */
.macro save_registers pushq % rax pushq % rbx pushq % rcx pushq % rdx pushq % rsi pushq %
    rdi pushq % rbp pushq % r8 pushq % r9 pushq % r10 pushq % r11 pushq % r12 pushq % r13 pushq %
    r14 pushq % r15 cld.endm
