/* x86_64 boot entry. Two ways in, both in 32-bit protected mode with paging off:
 *   PVH (QEMU -kernel):  EBX = hvm_start_info physical address; entered at keel_pvh_entry
 *   multiboot2 (GRUB):   EAX = 0x36d76289, EBX = boot information physical address
 * The 32-bit code clears .bss, builds the boot page tables there, enters long mode and jumps
 * to the higher half, which calls keel_x86_boot(protocol, info_phys) (boot.cc).
 *
 * Boot address space (2 MiB pages, all in .bss.page_tables):
 *   0 .. 4 GiB                        identity, only until we run in the higher half
 *   0xffff800000000000 + 0 .. 4 GiB   linear map of physical memory (arch::phys_to_virt)
 *   0xffffffff80000000 + 0 .. 1 GiB   the kernel image (kernel code model)
 *   0xffffffffc0000000 .. +2 MiB      4 KiB slots for arch::map_device_early (fixmap_pt)
 * The boot GDT below sits in .boot (low memory). keel_x86_boot replaces it with the CPU's own
 * GDT, TSS and IDT in the image (cpu_tables.cc, traps.cc) before anything else, so that when
 * mm replaces these tables with the kernel's own (paging.cc), nothing low is still in use.
 */

#include "trap_frame.inc"
#define KERNEL_VMA 0xffffffff80000000
#define PHYS(symbol) ((symbol) - KERNEL_VMA)

#define MULTIBOOT2_HEADER_MAGIC 0xe85250d6
#define MULTIBOOT2_BOOT_MAGIC 0x36d76289
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PTE_PRESENT_WRITABLE 0x3
#define PDE_LARGE_PAGE 0x83 /* present, writable, 2 MiB */
#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define MSR_GS_BASE 0xc0000101
#define GDT_CODE64 0x08
#define GDT_DATA 0x10

/* --- multiboot2 header: 8-aligned, within the first 32 KiB of the file ----------------- */
    .section .boot.multiboot2, "a"
    .balign 8
multiboot2_header:
    .long MULTIBOOT2_HEADER_MAGIC
    .long 0 /* architecture: i386 protected mode */
    .long multiboot2_header_end - multiboot2_header
    .long 0x100000000 - (MULTIBOOT2_HEADER_MAGIC + (multiboot2_header_end - multiboot2_header))
    .balign 8 /* entry address tag: where GRUB jumps, a physical address */
    .short 3, 0
    .long 12
    .long keel_multiboot2_entry
    .balign 8 /* end tag */
    .short 0, 0
    .long 8
multiboot2_header_end:

/* --- PVH: the Xen ELF note QEMU looks for; QEMU reads the descriptor as a 64-bit word ----- */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4                        /* name size */
    .long 8                        /* descriptor size */
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .quad keel_pvh_entry

/* --- 32-bit entry ------------------------------------------------------------------------ */
    .section .boot.text, "ax"
    .code32
    .globl keel_pvh_entry
keel_pvh_entry:
    movl $0, %ebp                  /* BootProtocol::Pvh */
    movl %ebx, %esi
    jmp boot32_common

    .globl keel_multiboot2_entry
keel_multiboot2_entry:
    cmpl $MULTIBOOT2_BOOT_MAGIC, %eax
    jne boot32_hang                /* not multiboot2: nothing to parse, nowhere to report */
    movl $1, %ebp                  /* BootProtocol::Multiboot2 */
    movl %ebx, %esi

/* From here: EBP = protocol, ESI = boot information; no stack is needed until long mode. */
boot32_common:
    cli
    cld
    /* Long mode must exist (CPUID 0x80000001 EDX bit 29). */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb boot32_hang
    movl $0x80000001, %eax
    cpuid
    btl $29, %edx
    jnc boot32_hang
    movl %edx, %esp                /* keep the feature bits (NX is bit 20) until EFER */

    /* Clear .bss through its physical address: the page tables live there. */
    movl $PHYS(__bss_start), %edi
    movl $PHYS(__bss_end), %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    /* boot_pd: 2048 large pages, physical 0 .. 4 GiB. */
    movl $PHYS(boot_pd), %edi
    movl $PDE_LARGE_PAGE, %eax
    movl $2048, %ecx
1:  movl %eax, (%edi)
    addl $0x200000, %eax
    addl $8, %edi
    loop 1b

    /* boot_pdpt_low: four directories, one per GiB. */
    movl $PHYS(boot_pdpt_low), %edi
    movl $PHYS(boot_pd) + PTE_PRESENT_WRITABLE, %eax
    movl $4, %ecx
2:  movl %eax, (%edi)
    addl $4096, %eax
    addl $8, %edi
    loop 2b

    /* The same 4 GiB at 0 (identity) and at 0xffff800000000000 (PML4 slot 256). */
    movl $PHYS(boot_pml4), %edi
    movl $PHYS(boot_pdpt_low) + PTE_PRESENT_WRITABLE, %eax
    movl %eax, 0(%edi)
    movl %eax, 256 * 8(%edi)
    movl $PHYS(boot_pdpt_high) + PTE_PRESENT_WRITABLE, 511 * 8(%edi)

    /* -2 GiB: the first GiB of physical memory (the image); -1 GiB: the device window. */
    movl $PHYS(boot_pdpt_high), %edi
    movl $PHYS(boot_pd) + PTE_PRESENT_WRITABLE, 510 * 8(%edi)
    movl $PHYS(boot_fixmap_pd) + PTE_PRESENT_WRITABLE, 511 * 8(%edi)
    movl $PHYS(boot_fixmap_pd), %edi
    movl $PHYS(keel_x86_fixmap_pt) + PTE_PRESENT_WRITABLE, (%edi)

    /* PAE, the tables, EFER.LME (+NXE when the CPU has NX), then paging: long mode. */
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $PHYS(boot_pml4), %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    btl $20, %esp
    jnc 3f
    orl $EFER_NXE, %eax
3:  wrmsr
    movl %cr0, %eax
    orl $(CR0_PG | CR0_WP | CR0_PE), %eax
    movl %eax, %cr0

    lgdt boot_gdt_pointer32
    ljmp $GDT_CODE64, $boot64_low

boot32_hang:
    cli
    hlt
    jmp boot32_hang

    .code64
boot64_low:
    /* Still on the identity map: continue at the same code's higher-half address. */
    movabsq $boot64_high, %rax
    jmp *%rax

/* --- boot GDT: null, 64-bit code, data --------------------------------------------------- */
    .section .boot.data, "aw"
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff       /* 0x08: code, long mode, DPL 0 */
    .quad 0x00cf92000000ffff       /* 0x10: data, writable */
boot_gdt_end:
boot_gdt_pointer32:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

/* --- 64-bit, higher half ------------------------------------------------------------------ */
    .section .rodata.boot_gdt_pointer64, "a"
    .balign 8
boot_gdt_pointer64:
    .short boot_gdt_end - boot_gdt - 1
    .quad boot_gdt + KERNEL_VMA    /* the GDT through the kernel mapping: the identity goes */

    .section .text.boot64, "ax"
boot64_high:
    lgdt boot_gdt_pointer64(%rip)
    movl $GDT_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    leaq keel_x86_boot_stack_top(%rip), %rsp

    /* GS base: the boot CPU's per-CPU block (smp.cc), whose first word, its index, is 0. */
    leaq keel_x86_per_cpu(%rip), %rax
    movq %rax, %rdx
    shrq $32, %rdx
    movl $MSR_GS_BASE, %ecx
    wrmsr

    /* Drop the identity map: from now on a null or physical pointer faults. */
    movq $0, boot_pml4(%rip)
    movq %cr3, %rax
    movq %rax, %cr3

    movl %ebp, %edi                /* protocol */
    movl %esi, %esi                /* info_phys, zero-extended */
    xorl %ebp, %ebp                /* the outermost frame: backtraces stop here */
    call keel_x86_boot
4:  cli
    hlt
    jmp 4b

/* --- trap stubs, one per IDT vector, 16 bytes apart: error code (0 when the CPU pushes none),
 * vector, then every general register is saved and C++ gets a TrapFrame* (traps.cc).
 * Exceptions (vectors 0-31) go to keel_x86_trap and come back only when a user copy's fixup
 * takes the fault (traps.cc); anything else is fatal so far, and their path stays lean, since a fault near the end of a stack must still
 * reach the emergency stack. Interrupts (0x20 and up) go to keel_x86_interrupt and return:
 * the registers are restored and IRETQ resumes the interrupted code with its RFLAGS. The return
 * may come much later: keel_x86_interrupt ends with the scheduler's interrupt_exit, which can
 * switch to other tasks first; the frame waits on the interrupted task's stack. The kernel
 * uses no SSE/x87 and no red zone (cmake/toolchains/x86_64.cmake), so the general registers
 * are the whole context. */
    .section .text.traps, "ax"
    .balign 16
    .globl keel_x86_trap_stubs
keel_x86_trap_stubs:
    .set vector, 0
    .rept 256
    .balign 16
    .if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
    .else
    pushq $0
    .endif
    pushq $vector
    .if vector < 32
    jmp trap_common
    .else
    jmp interrupt_common
    .endif
    .set vector, vector + 1
    .endr


/* From user mode (the CS the CPU pushed has RPL 3), both go to user_entry.S instead: the frame
 * is then on the task's stack under enter_user's, and GS still holds the user's base. */
trap_common:
    testb $3, 24(%rsp)
    jnz keel_x86_user_trap_entry
    save_registers
    movq %rsp, %rdi                /* TrapFrame* */
    call keel_x86_trap             /* returns only for a fault a user copy's fixup takes */
    jmp restore_registers

interrupt_common:
    testb $3, 24(%rsp)
    jnz keel_x86_user_trap_entry
    save_registers
    movq %rsp, %rdi                /* TrapFrame* */
    call keel_x86_interrupt
restore_registers:
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp                 /* vector and error code */
    iretq

/* --- boot page tables and stack ----------------------------------------------------------- */
    .section .bss.page_tables, "aw", @nobits
    .balign 4096
boot_pml4:
    .skip 4096
boot_pdpt_low:
    .skip 4096
boot_pdpt_high:
    .skip 4096
boot_pd:
    .skip 4 * 4096
boot_fixmap_pd:
    .skip 4096
    .globl keel_x86_fixmap_pt
keel_x86_fixmap_pt:
    .skip 4096

/* The boot stack, with the page right below it as its guard: in its own section, so nothing
 * else can land there. The kernel's page tables leave the guard unmapped; an overflow faults
 * there and is reported from #DF on the emergency stack (traps.cc). */
    .section .bss.boot_stack, "aw", @nobits
    .balign 4096
    .globl keel_x86_boot_stack_guard, keel_x86_boot_stack_bottom, keel_x86_boot_stack_top
keel_x86_boot_stack_guard:
    .skip 4096
keel_x86_boot_stack_bottom:
    .skip 64 * 1024
keel_x86_boot_stack_top:
