/* x86_64: how a secondary CPU (AP) gets from the SIPI to C++ (smp.cc).
 *
 * keel_x86_trampoline_start .. _end is copied to a page below 1 MiB (smp.cc picks it); the
 * STARTUP IPI's vector names that page and the AP starts there in real mode, CS = page >> 4,
 * IP = 0. The code works at any such page: it finds its physical base from CS and patches its
 * own GDT pointer and far jumps. 16-bit -> protected mode (flat 32-bit GDT) -> PAE, CR3 = the
 * temporary root smp.cc built (the kernel root's upper half plus an identity map of the low
 * 2 MiB, so this page stays reachable while paging comes on), EFER.LME|NXE as the boot CPU
 * has them, CR0.PG|WP -> 64-bit, still on the identity map -> jump to keel_x86_ap_high in the
 * kernel image, which loads the kernel root, the per-CPU GS base and the CPU's stack from
 * keel_x86_ap_boot (smp.cc), and calls keel_x86_ap_start. Interrupts stay masked throughout;
 * there is no IDT until C++ installs it, so nothing here may fault.
 *
 * The parameters at the end of the page (keel_x86_trampoline_params): CR3 (32-bit: the
 * temporary root is in the kernel image, below 4 GiB) and EFER's low word.
 */
#define T(symbol) ((symbol) - keel_x86_trampoline_start)

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define MSR_GS_BASE 0xc0000101
#define TR_CODE32 0x08
#define TR_DATA 0x10
#define TR_CODE64 0x18

    .section .rodata.x86_trampoline, "a"
    .balign 16
    .globl keel_x86_trampoline_start, keel_x86_trampoline_end, keel_x86_trampoline_params
keel_x86_trampoline_start:
    .code16
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    movzwl %ax, %ebx
    shll $4, %ebx                  /* EBX = this page's physical address, from here on */
    leal T(tr_gdt)(%ebx), %eax
    movl %eax, T(tr_gdtr) + 2
    leal T(tr_protected)(%ebx), %eax
    movl %eax, T(tr_far32)
    leal T(tr_long)(%ebx), %eax
    movl %eax, T(tr_far64)
    lgdtl T(tr_gdtr)
    movl %cr0, %eax
    orl $CR0_PE, %eax
    movl %eax, %cr0
    ljmpl *T(tr_far32)

    .code32
tr_protected:
    movl $TR_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl T(keel_x86_trampoline_params)(%ebx), %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    movl T(keel_x86_trampoline_params) + 4(%ebx), %eax
    xorl %edx, %edx
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PG | CR0_WP | CR0_PE), %eax
    movl %eax, %cr0
    ljmpl *T(tr_far64)(%ebx)

    .code64
tr_long:
    movabsq $keel_x86_ap_high, %rax
    jmp *%rax

    .balign 8
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff       /* 0x08: code, 32-bit */
    .quad 0x00cf92000000ffff       /* 0x10: data, writable */
    .quad 0x00af9a000000ffff       /* 0x18: code, long mode */
tr_gdt_end:
    .balign 4
tr_gdtr:
    .short tr_gdt_end - tr_gdt - 1
    .long 0                        /* patched: tr_gdt's physical address */
    .balign 4
tr_far32:
    .long 0                        /* patched: tr_protected */
    .short TR_CODE32
    .balign 4
tr_far64:
    .long 0                        /* patched: tr_long */
    .short TR_CODE64
    .balign 8
keel_x86_trampoline_params:
    .long 0                        /* CR3: the temporary root */
    .long 0                        /* EFER (low word) */
keel_x86_trampoline_end:

/* In the kernel image, reached on the temporary root (its upper half is the kernel's). */
    .section .text.ap_boot, "ax"
    .code64
keel_x86_ap_high:
    movq keel_x86_ap_boot + 16(%rip), %rax   /* the per-CPU block: GS base */
    movq %rax, %rdx
    shrq $32, %rdx
    movl $MSR_GS_BASE, %ecx
    wrmsr
    movq keel_x86_ap_boot(%rip), %rax        /* the kernel root */
    movq %rax, %cr3
    movq keel_x86_ap_boot + 8(%rip), %rsp    /* this CPU's stack */
    xorl %ebp, %ebp                          /* the outermost frame: backtraces stop here */
    call keel_x86_ap_start
1:  cli
    hlt
    jmp 1b
