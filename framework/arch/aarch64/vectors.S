// The early exception vectors and the semihosting exit call.
//
// Until the framework has real trap handling, every exception is fatal: each of the 16 vector
// entries moves to a private stack (the faulting one may be what broke) and calls
// keel_arch_early_trap(vector, esr, elr, far, lr), which reports and powers off with a failure.

.macro early_vector index
    .balign 0x80
    mov x0, #\index
    b early_trap
.endm

    .section .text.vectors, "ax"
    .balign 2048
    .globl keel_early_vectors
keel_early_vectors:
    .irp index, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    early_vector \index
    .endr

early_trap:
    mrs x1, esr_el1
    mrs x2, elr_el1
    mrs x3, far_el1
    mov x4, x30
    ldr x5, =keel_trap_stack_top
    mov sp, x5
    mov x29, xzr
    bl keel_arch_early_trap     // never returns
1:  wfi
    b 1b
    .ltorg

// void keel_semihosting_exit(u64 status): SYS_EXIT with ADP_Stopped_ApplicationExit and the
// status, which QEMU (-semihosting) turns into its exit code. Without semihosting the hlt is an
// undefined instruction; the trap handler recognises keel_semihosting_hlt as its address.
    .section .text.keel_semihosting_exit, "ax"
    .globl keel_semihosting_exit, keel_semihosting_hlt
keel_semihosting_exit:
    sub sp, sp, #16
    movz x2, #0x2, lsl #16
    movk x2, #0x26              // ADP_Stopped_ApplicationExit (0x20026)
    stp x2, x0, [sp]            // the parameter block: {reason, subcode}
    mov x1, sp
    mov w0, #0x18               // SYS_EXIT
keel_semihosting_hlt:
    hlt #0xf000
    add sp, sp, #16
    ret

    .section .bss.trap_stack, "aw", %nobits
    .balign 16
    .skip 8192
keel_trap_stack_top:
