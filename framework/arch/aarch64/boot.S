// aarch64 boot entry. The Linux arm64 Image header comes first so U-Boot's booti (or QEMU's
// -kernel) can start the kernel; booti enters here at EL1 or EL2, MMU and D-cache off,
// x0 = the DTB's physical address. Until the MMU is on this code runs at whatever physical
// address the loader chose, so it only uses PC-relative addressing (adr/adrp).
#include "layout.h"

#define SCTLR_EL1_RES1 0x30d00800 /* bits 11, 20, 22, 23, 28, 29 (ARMv8.0) */
#define SCTLR_EL1_ON (SCTLR_EL1_RES1 | 0x100d) /* M, C, SA, I */
/* T0SZ = T1SZ = 16 (48-bit VA), 4 KiB granules, walks inner shareable write-back. IPS is
 * filled in from ID_AA64MMFR0_EL1. */
#define TCR_EL1_BOOT 0xb5103510
#define TCR_EPD0 0x80
#define CPACR_FPEN (3 << 20) /* CPACR_EL1.FPEN: FP/SIMD not trapped at EL0 or EL1 */
/* Little endian (bit 0 clear), 4 KiB pages (bits 1-2 = 1), and bit 3 set: the image may sit
 * at any 2 MiB aligned address, because this code finds its load address at run time. */
#define IMAGE_FLAGS 0xa

/* arch::SecondaryBoot (aarch64.h) */
#define SB_MAIR 0
#define SB_TCR 8
#define SB_TTBR1 16
#define SB_SCTLR 24
#define SB_TTBR0 32
#define SB_SP 40
#define SB_SP_EL0 48
#define SB_TPIDR 56

#define BLOCK_NORMAL (PTE_BLOCK | PTE_ATTR_NORMAL | PTE_INNER_SHAREABLE | PTE_AF)

    .section .head.text, "ax"
    .globl _start
_start:
    b primary_entry             // code0
    .long 0                     // code1
    .quad 0                     // text_offset: start of a 2 MiB block
    .quad __kernel_size         // image_size: everything up to the end of the page tables
    .quad IMAGE_FLAGS
    .quad 0, 0, 0               // res2 .. res4
    .long 0x644d5241            // magic "ARM\x64"
    .long 0                     // res5: no PE/COFF header

    .section .text.boot, "ax"
primary_entry:
    msr daifset, #0xf
    mov x19, x0                 // DTB physical address
    adrp x20, __kernel_start    // physical load base (the MMU is off: PC is physical)
    tst x20, #0x1fffff          // the kernel mapping uses 2 MiB blocks
    b.ne boot_failed
    bl leave_el2
    msr spsel, #1
    bl build_page_tables

    ldr x0, =KEEL_MAIR
    msr mair_el1, x0
    ldr x0, =TCR_EL1_BOOT
    mrs x1, id_aa64mmfr0_el1
    and x1, x1, #0xf            // PARange; 48 bits at most, as our tables are 4-level
    mov x2, #5
    cmp x1, x2
    csel x1, x1, x2, ls
    orr x0, x0, x1, lsl #32     // TCR_EL1.IPS
    msr tcr_el1, x0
    adrp x0, idmap_l0
    msr ttbr0_el1, x0
    adrp x0, ttbr1_l0
    msr ttbr1_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    ldr x0, =SCTLR_EL1_ON
mmu_on:                         // identity mapped by build_page_tables
    msr sctlr_el1, x0
    isb
    ic iallu                    // drop instructions fetched before the MMU was on
    dsb nsh
    isb
    ldr x0, =high_entry         // an absolute, link-time (higher half) address
    br x0

high_entry:
    // Everything now runs from TTBR1; stop TTBR0 walks so a stray low address faults.
    mrs x0, tcr_el1
    orr x0, x0, #TCR_EPD0
    msr tcr_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    isb
    // SP_EL0 holds this CPU's emergency stack while it runs at EL1: the exception vectors move
    // there before they store anything (vectors.S), so an overflowed kernel stack can be reported.
    ldr x0, =keel_emergency_stack_top
    msr sp_el0, x0
    ldr x0, =keel_vectors
    msr vbar_el1, x0
    msr tpidr_el1, xzr          // cpu_index(): the boot CPU is 0 (arch/smp.h)
    mov x0, #CPACR_FPEN
    msr cpacr_el1, x0           // FP/SIMD untrapped: user code's (the kernel never uses them)
    isb

    // Clear .bss through the cached mapping (no stale lines can shadow the zeroes).
    ldr x0, =__bss_start
    ldr x1, =__bss_end
1:  stp xzr, xzr, [x0], #16
    cmp x0, x1
    b.lo 1b

    ldr x0, =keel_boot_stack_top
    mov sp, x0
    mov x29, xzr                // ends the frame-record chain
    mov x0, x19
    mov x1, x20
    bl keel_arch_start          // never returns
2:  wfi
    b 2b

// A secondary CPU, started by PSCI CPU_ON (smp.cc) at EL2 or EL1, MMU and caches off, at the
// physical address of this label; x0 = the physical address of the SecondaryBoot (aarch64.h)
// the boot CPU filled and cleaned to the point of coherency. The same steps as the boot CPU's
// above, with the kernel's own tables straight away: the identity map of build_page_tables
// (which covers this code: .text.boot, in the image's first 2 MiB block, as mmu_on) in TTBR0
// for the switch, the kernel root in TTBR1, then the empty table in TTBR0.
    .globl keel_secondary_entry
keel_secondary_entry:
    msr daifset, #0xf
    mov x19, x0
    bl leave_el2
    msr spsel, #1
    ldr x0, [x19, #SB_MAIR]
    msr mair_el1, x0
    ldr x0, [x19, #SB_TCR]
    msr tcr_el1, x0
    adrp x0, idmap_l0
    msr ttbr0_el1, x0
    ldr x0, [x19, #SB_TTBR1]
    msr ttbr1_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    isb
    ldr x0, [x19, #SB_SCTLR]
    msr sctlr_el1, x0
    isb
    ic iallu
    dsb nsh
    isb
    ldr x0, =secondary_high
    br x0

secondary_high:
    ldr x19, =keel_secondary_boot // the same block, at its link-time address
    ldr x0, [x19, #SB_TTBR0]
    msr ttbr0_el1, x0           // the identity map goes
    isb
    tlbi vmalle1
    dsb nsh
    isb
    ldr x0, [x19, #SB_SP_EL0]
    msr sp_el0, x0              // this CPU's emergency stack (vectors.S)
    ldr x0, =keel_vectors
    msr vbar_el1, x0
    ldr x0, [x19, #SB_TPIDR]
    msr tpidr_el1, x0           // cpu_index()
    mov x0, #CPACR_FPEN
    msr cpacr_el1, x0           // FP/SIMD untrapped, as on the boot CPU
    ldr x0, [x19, #SB_SP]
    mov sp, x0
    isb
    mov x29, xzr
    bl keel_arch_secondary_start // never returns
1:  wfi
    b 1b

// At EL2 (QEMU -M virt,virtualization=on): configure EL1 as a plain AArch64 kernel level with
// the counters accessible, then eret to the caller at EL1h. At EL1: nothing to do.
leave_el2:
    mrs x0, CurrentEL
    cmp x0, #(2 << 2)
    b.ne 1f
    mov x0, #(1 << 31)          // HCR_EL2.RW: EL1 is AArch64; no stage 2, no traps
    msr hcr_el2, x0
    mrs x0, cnthctl_el2
    orr x0, x0, #3              // EL1PCTEN | EL1PCEN
    msr cnthctl_el2, x0
    msr cntvoff_el2, xzr        // virtual count == physical count
    mov x0, #0x33ff             // CPTR_EL2: no FP/SIMD traps
    msr cptr_el2, x0
    msr hstr_el2, xzr
    // GICv3: let EL1 use the system-register CPU interface (ICC_SRE_EL2.SRE and .Enable, or
    // EL1's ICC_SRE_EL1 accesses trap to EL2), and keep the virtual CPU interface off.
    mrs x0, id_aa64pfr0_el1
    ubfx x0, x0, #24, #4        // GIC: the ICC_* system registers exist
    cbz x0, 2f
    mrs x0, S3_4_C12_C9_5       // ICC_SRE_EL2
    orr x0, x0, #0x1            // SRE
    orr x0, x0, #0x8            // Enable
    msr S3_4_C12_C9_5, x0
    isb
    msr S3_4_C12_C11_0, xzr     // ICH_HCR_EL2
2:  mrs x0, midr_el1
    msr vpidr_el2, x0
    mrs x0, mpidr_el1
    msr vmpidr_el2, x0
    ldr x0, =SCTLR_EL1_RES1     // EL1 MMU off until we turn it on
    msr sctlr_el1, x0
    mov x0, #0x3c5              // EL1h, DAIF masked
    msr spsr_el2, x0
    msr elr_el2, x30
    eret
1:  ret

// Fills the boot tables (.pgtables, see layout.h) with the MMU off; x20 = physical base.
build_page_tables:
    adrp x0, __pgtables_start
    adrp x1, __pgtables_end
1:  stp xzr, xzr, [x0], #16
    cmp x0, x1
    b.lo 1b

    // TTBR0: only the 1 GiB holding mmu_on, for the instructions between MMU on and br high.
    adr x2, mmu_on
    adrp x0, idmap_l0
    adrp x1, idmap_l1
    ubfx x3, x2, #39, #9
    orr x4, x1, #PTE_TABLE
    str x4, [x0, x3, lsl #3]
    ubfx x3, x2, #30, #9
    and x4, x2, #0xffffffffc0000000
    ldr x5, =BLOCK_NORMAL
    orr x4, x4, x5
    str x4, [x1, x3, lsl #3]

    // TTBR1 L0: the linear map, and the top 512 GiB (kernel image and device window).
    adrp x0, ttbr1_l0
    adrp x1, linear_l1
    orr x4, x1, #PTE_TABLE
    str x4, [x0, #(((KEEL_LINEAR_BASE >> 39) & 511) * 8)]
    adrp x1, kernel_l1
    orr x4, x1, #PTE_TABLE
    str x4, [x0, #(((KEEL_KERNEL_BASE >> 39) & 511) * 8)]

    // Linear map: physical 0 .. 512 GiB as 1 GiB Normal blocks, never executable.
    adrp x0, linear_l1
    ldr x1, =(BLOCK_NORMAL | PTE_PXN | PTE_UXN)
    mov x2, #0
2:  orr x3, x1, x2, lsl #30
    str x3, [x0, x2, lsl #3]
    add x2, x2, #1
    cmp x2, #512
    b.lo 2b

    adrp x0, kernel_l1
    adrp x1, kernel_l2
    orr x4, x1, #PTE_TABLE
    str x4, [x0, #(((KEEL_KERNEL_BASE >> 30) & 511) * 8)]
    adrp x1, device_l2
    orr x4, x1, #PTE_TABLE
    str x4, [x0, #(((KEEL_DEVICE_WINDOW >> 30) & 511) * 8)]
    adrp x0, device_l2
    adrp x1, keel_device_l3     // filled later by arch::map_device_early
    orr x4, x1, #PTE_TABLE
    str x4, [x0, #(((KEEL_DEVICE_WINDOW >> 21) & 511) * 8)]

    // The kernel image: 2 MiB blocks from the load base, executable at EL1 only.
    adrp x0, kernel_l2
    ldr x1, =(BLOCK_NORMAL | PTE_UXN)
    orr x1, x1, x20
    ldr x2, =(__kernel_size + 0x1fffff)
    lsr x2, x2, #21
    mov x3, #((KEEL_KERNEL_BASE >> 21) & 511)
    add x2, x2, x3
3:  str x1, [x0, x3, lsl #3]
    add x1, x1, #0x200000
    add x3, x3, #1
    cmp x3, x2
    b.lo 3b

    // The tables were written around the cache; discard any stale lines the walker could hit
    // once it reads through the (write-back) cache.
    dmb sy
    adrp x0, __pgtables_start
    adrp x1, __pgtables_end
    mrs x3, ctr_el0
    ubfx x3, x3, #16, #4        // DminLine: log2 of words per line
    mov x2, #4
    lsl x2, x2, x3
4:  dc ivac, x0
    add x0, x0, x2
    cmp x0, x1
    b.lo 4b
    dsb sy
    ret

// void keel_replace_ttbr1(u64 ttbr1, u64 phys_offset, u64 empty_table, u64 tcr), from
// arch::activate_kernel_root with interrupts masked: installs the kernel's own tables in TTBR1,
// TCR_EL1 = tcr (TTBR0 walks enabled) and TTBR0 = empty_table (ASID 0, nothing mapped).
// phys_offset = physical - virtual address of the image.
//
// The new tables map the image with pages where the boot tables had 2 MiB blocks. Changing the
// block size of a live mapping needs break-before-make, or the TLB may hold both sizes at once
// (a TLB conflict abort on real CPUs). So, as Linux's idmap_cpu_replace_ttbr1, this runs from
// the boot identity map in TTBR0 (built by build_page_tables around mmu_on, a few instructions
// from here in the same page) while TTBR1 holds an empty table and the TLB is flushed (break),
// then loads the new root (make) and returns to the higher half. Nothing here touches the stack.
    .globl keel_replace_ttbr1
keel_replace_ttbr1:
    dsb ishst                   // the new tables are visible to the table walker
    adrp x4, idmap_l0
    add x4, x4, x1              // physical address of the identity map's root
    msr ttbr0_el1, x4
    msr tcr_el1, x3             // EPD0 clear: TTBR0 walks on
    isb
    adr x4, 1f
    add x4, x4, x1
    br x4                       // continue at the physical (identity-mapped) alias
1:  msr ttbr1_el1, x2           // break: no TTBR1 translation exists or can be walked
    isb
    tlbi vmalle1                // every cached translation, global ones included
    dsb nsh
    isb
    msr ttbr1_el1, x0           // make
    isb
    adr x4, 2f
    sub x4, x4, x1
    br x4                       // back to the link-time address, through the new tables
2:  msr ttbr0_el1, x2           // the identity map goes; TTBR0 now maps nothing
    isb
    tlbi vmalle1                // the identity map's (global) entries
    dsb nsh
    isb
    ret

// Loaded somewhere we cannot map (not 2 MiB aligned): report status 4 through semihosting
// (VA == PA with the MMU off), else stop.
boot_failed:
    mov w0, #0x18               // SYS_EXIT
    adr x1, boot_failed_block
    hlt #0xf000
1:  wfi
    b 1b
    .balign 8
boot_failed_block:
    .quad 0x20026, 4            // ADP_Stopped_ApplicationExit, status
    .ltorg

    .section .pgtables, "aw", %nobits
    .balign 4096
idmap_l0:   .skip 4096
idmap_l1:   .skip 4096
ttbr1_l0:   .skip 4096
linear_l1:  .skip 4096
kernel_l1:  .skip 4096
kernel_l2:  .skip 4096
device_l2:  .skip 4096
    .globl keel_device_l3
keel_device_l3: .skip 4096

// TTBR0's table whenever no user address space is active, and TTBR1's for the moment of the
// switch above: 512 invalid entries. Read-only, so nothing can map through it by mistake.
    .section .rodata.empty_table, "a"
    .balign 4096
    .globl keel_empty_table
keel_empty_table:
    .fill 512, 8, 0

// The boot stack, page aligned, with its guard page directly below: the kernel's own page tables
// leave the guard unmapped (arch::boot_stack), so running off the stack faults at once instead
// of overwriting .bss. Nothing else shares the guard's page (the section starts with it).
    .section .bss.boot_stack, "aw", %nobits
    .balign 4096
keel_boot_stack_guard:
    .skip 4096
    .globl keel_boot_stack_bottom, keel_boot_stack_top
keel_boot_stack_bottom:
    .skip 65536
keel_boot_stack_top:
