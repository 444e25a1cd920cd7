// The cores of the user copies (user_mode.cc opens the PAN window around them). They use the
// unprivileged loads and stores (ldtr/sttr): each access is checked as EL0's would be, so a
// read-only or kernel page faults as it would for the user. They are leaf functions that
// touch neither the stack nor x30, so a fault anywhere between keel_user_copy_start and
// keel_user_copy_end can resume at keel_user_copy_fault (keel_arch_fault_fixup, trap.cc), which
// returns -1 to the caller with the registers as they were at the fault.

    .section .text.keel_user_copy, "ax"
    .globl keel_user_copy_start, keel_user_copy_end, keel_user_copy_fault
    .globl keel_copy_from_user, keel_copy_to_user, keel_copy_string_from_user
keel_user_copy_start:

// i64 keel_copy_from_user(u8* to, uptr from, usize n): 0, or -1 on a fault.
keel_copy_from_user:
    orr x3, x0, x1
    tst x3, #7
    b.ne 2f
1:  cmp x2, #8                  // both 8-byte aligned: words while they last
    b.lo 2f
    ldtr x3, [x1]
    str x3, [x0], #8
    add x1, x1, #8
    sub x2, x2, #8
    b 1b
2:  cbz x2, 3f
    ldtrb w3, [x1]
    strb w3, [x0], #1
    add x1, x1, #1
    sub x2, x2, #1
    b 2b
3:  mov x0, #0
    ret

// i64 keel_copy_to_user(uptr to, const u8* from, usize n): 0, or -1 on a fault.
keel_copy_to_user:
    orr x3, x0, x1
    tst x3, #7
    b.ne 2f
1:  cmp x2, #8
    b.lo 2f
    ldr x3, [x1], #8
    sttr x3, [x0]
    add x0, x0, #8
    sub x2, x2, #8
    b 1b
2:  cbz x2, 3f
    ldrb w3, [x1], #1
    sttrb w3, [x0]
    add x0, x0, #1
    sub x2, x2, #1
    b 2b
3:  mov x0, #0
    ret

// i64 keel_copy_string_from_user(u8* to, uptr from, usize n): copies up to and including a
// NUL within n bytes; the length without the NUL, n when none came, or -1 on a fault.
keel_copy_string_from_user:
    mov x4, #0
1:  cmp x4, x2
    b.hs 2f
    add x5, x1, x4
    ldtrb w3, [x5]
    strb w3, [x0, x4]
    cbz w3, 2f
    add x4, x4, #1
    b 1b
2:  mov x0, x4
    ret

keel_user_copy_fault:
    mov x0, #-1
    ret
keel_user_copy_end:
