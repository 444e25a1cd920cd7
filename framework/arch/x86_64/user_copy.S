/* x86_64 user copies (user_mode.cc wraps them in user_access_begin/end). Each instruction that
 * touches user memory has an entry in keel_x86_user_fixups: a kernel #PF or #GP at it resumes
 * at the fixup instead (traps.cc), which returns failure. */
    .section .text.user_copy, "ax"

/* u64 keel_x86_copy_user(void* to, const void* from, usize size): 0, or 1 after a fault. */
    .globl keel_x86_copy_user
    .type keel_x86_copy_user, @function
    .balign 16
keel_x86_copy_user:
    movq %rdx, %rcx
.Lcopy_access:
    rep movsb
    xorl %eax, %eax
    ret
.Lcopy_fault:
    movl $1, %eax
    ret
    .size keel_x86_copy_user, . - keel_x86_copy_user

/* i64 keel_x86_copy_user_string(u8* to, const u8* from, usize size): copies up to and including
 * a NUL within size bytes; the length without the NUL, size when none came, -1 after a fault. */
    .globl keel_x86_copy_user_string
    .type keel_x86_copy_user_string, @function
    .balign 16
keel_x86_copy_user_string:
    xorl %eax, %eax
1:  cmpq %rdx, %rax
    je 2f
.Lstring_access:
    movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    testb %cl, %cl
    je 2f
    incq %rax
    jmp 1b
2:  ret
.Lstring_fault:
    movq $-1, %rax
    ret
    .size keel_x86_copy_user_string, . - keel_x86_copy_user_string

    .section .rodata.keel_x86_user_fixups, "a"
    .balign 8
    .globl keel_x86_user_fixups, keel_x86_user_fixups_end
keel_x86_user_fixups:              /* {faulting rip, where to resume} */
    .quad .Lcopy_access, .Lcopy_fault
    .quad .Lstring_access, .Lstring_fault
keel_x86_user_fixups_end:
