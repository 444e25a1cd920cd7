// The paging concern of the arch contract (arch/paging.h) on aarch64: the kernel half lives in
// TTBR1 (its own root), user address spaces in TTBR0 tagged with an ASID, and while no user
// space is active TTBR0 holds an empty table under the reserved ASID 0, so a stray low address
// faults and no user translation can match.
#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/paging.h>

#include <keel/panic.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/layout.h"
#include "arch/aarch64/sysreg.h"
#include "kernel_image.h"

namespace keel::arch {

namespace {

// boot.S programs MAIR_EL1 with KEEL_MAIR before the MMU goes on; the PTE format's attribute
// indexes must mean the same (Normal write-back at 0, Device-nGnRE at 1).
static_assert(KEEL_MAIR == Aarch64PteFormat::mair, "layout.h KEEL_MAIR differs from pte_format.h");

// The dynamic area: 1 GiB aligned, one L0 entry of its own, apart from the linear map (L0[0]),
// the image and the early device window (both in L0[511]).
static_assert(KEEL_DYNAMIC_BASE % (u64{1} << 30) == 0 && KEEL_DYNAMIC_SIZE >= (u64{1} << 30));
static_assert(KEEL_DYNAMIC_BASE >= KEEL_LINEAR_BASE + KEEL_LINEAR_SIZE);
static_assert(KEEL_DYNAMIC_BASE + KEEL_DYNAMIC_SIZE <= KEEL_KERNEL_BASE);

constexpr u64 user_end = u64{1} << 48; // TTBR0 with T0SZ = 16
constexpr u32 asid_shift = 48;         // TTBRn_EL1.ASID, and the ASID of TLBI operands

// TCR_EL1 (Arm ARM D17.2.131) for the kernel's own tables: 48-bit VA in both halves
// (T0SZ = T1SZ = 16), 4 KiB granules (TG0 = 0, TG1 = 2), table walks inner shareable and
// write-back cacheable, EPD0 clear (TTBR0 always holds a table, empty or a user root), ASIDs
// from TTBR0 (A1 = 0). IPS and AS are filled in from the CPU's ID registers.
constexpr u64 tcr_base = 16 | (u64{1} << 8) | (u64{1} << 10) | (u64{3} << 12) | (u64{16} << 16) |
                         (u64{1} << 24) | (u64{1} << 26) | (u64{3} << 28) | (u64{2} << 30);
constexpr u32 tcr_ips_shift = 32;
constexpr u64 tcr_as = u64{1} << 36; // 16-bit ASIDs

constexpr u64 sctlr_span = u64{1} << 23; // clear: taking an exception to EL1 sets PAN

constinit bool has_pan = false;

u64 mmfr0() {
    // SAFETY: reading an identification register has no side effects.
    return KEEL_READ_SYSREG(id_aa64mmfr0_el1);
}

bool sixteen_bit_asids() { return id_field(mmfr0(), mmfr0_asid_bits) == 2; }

u64 kernel_tcr() {
    // Our tables have 48-bit output addresses at most; a larger PARange needs FEAT_LPA(2).
    u64 ips = min(id_field(mmfr0(), mmfr0_parange), u64{5});
    return tcr_base | (ips << tcr_ips_shift) | (sixteen_bit_asids() ? tcr_as : 0);
}

// Privileged Access Never (ARMv8.1): when the CPU has it, the kernel cannot touch user pages
// except between user_access_begin and user_access_end. PSTATE.PAN is set now, and SCTLR.SPAN
// cleared so that every exception taken to EL1 sets it again.
void enable_pan() {
    // SAFETY: reading an identification register has no side effects.
    has_pan = id_field(KEEL_READ_SYSREG(id_aa64mmfr1_el1), mmfr1_pan) != 0;
    if (!has_pan) {
        return;
    }
    // SAFETY: SPAN only changes what exception entry does to PSTATE.PAN; the read-modify-write
    // keeps every other SCTLR_EL1 bit.
    KEEL_WRITE_SYSREG(sctlr_el1, KEEL_READ_SYSREG(sctlr_el1) & ~sctlr_span);
    // SAFETY: msr pan, #1 (raw encoding: the baseline assembler target is ARMv8.0); the kernel
    // has no user pages mapped it could still need to reach.
    asm volatile(".inst 0xd500419f" ::: "memory");
}

} // namespace

void enable_pan_on_this_cpu() { enable_pan(); }

namespace {

// The operand of TLBI by VA: VA[55:12] in bits 43:0, the ASID in bits 63:48.
u64 tlbi_operand(uptr va, u32 asid) {
    return (u64{asid} << asid_shift) | ((va >> page_shift) & ((u64{1} << 44) - 1));
}

u64 empty_table_phys() { return image_virt_to_phys(address_of(keel_empty_table)); }

} // namespace

NativePteFormat pte_format() { return {}; }

KernelLayout kernel_layout() {
    return {
        .linear_base = KEEL_LINEAR_BASE,
        .linear_size = KEEL_LINEAR_SIZE,
        .dynamic = {KEEL_DYNAMIC_BASE, KEEL_DYNAMIC_BASE + KEEL_DYNAMIC_SIZE},
        .user_end = user_end,
        .text = linked_image_sections().text,
        .rodata = linked_image_sections().rodata,
        .data = linked_image_sections().data,
        .image_phys = kernel_image_phys().base,
    };
}

void activate_kernel_root(u64 root_phys) {
    KEEL_ASSERT(is_page_aligned(root_phys) && root_phys < (u64{1} << 48));
    u64 saved = save_and_disable_interrupts();
    enable_pan();
    u64 phys_offset = kernel_image_phys().base - linked_image_sections().text.base;
    // SAFETY: boot.S's switch runs from the boot identity map, which still maps it; root_phys is
    // a complete kernel half (the image at its link address with the boot stack, the linear map,
    // the device window in use), so everything the kernel touches after the return is mapped.
    keel_replace_ttbr1(root_phys, phys_offset, empty_table_phys(), kernel_tcr());
    restore_interrupts(saved);
}

u32 asid_count() { return sixteen_bit_asids() ? 65536 : 256; }

void activate_user_root(u64 root_phys, u32 asid) {
    KEEL_ASSERT(is_page_aligned(root_phys) && root_phys < (u64{1} << 48) && asid < asid_count());
    // SAFETY: dsb ishst: the table walker sees every entry written so far. One write then
    // changes table and ASID together; the kernel half (TTBR1) is untouched, and translations
    // cached for this ASID belong to this root (the owner flushes an ASID before giving it to
    // another address space, and ASID 0 on every activation).
    asm volatile("dsb ishst" ::: "memory");
    KEEL_WRITE_SYSREG(ttbr0_el1, root_phys | (u64{asid} << asid_shift));
}

void deactivate_user_root() {
    // SAFETY: reading the translation table base has no side effects.
    u64 previous = KEEL_READ_SYSREG(ttbr0_el1);
    // SAFETY: the empty table under ASID 0: no walk through TTBR0 can succeed any more, and
    // no cached translation of another ASID matches.
    KEEL_WRITE_SYSREG(ttbr0_el1, empty_table_phys());
    if (previous >> asid_shift == 0 && previous != empty_table_phys()) {
        // A space without an ASID ran under ASID 0 itself: its translations must go, or they
        // would still answer for low addresses now that nothing is mapped there.
        flush_user_asid(0);
    }
}

// Local TLB maintenance: dsb ishst makes the page-table store visible to the walker first;
// dsb nsh waits for this CPU's invalidation; isb drops instructions fetched through the old
// translation. The operations without "last level" drop the walk caches for the VA too.
void flush_kernel_page(uptr va) {
    // SAFETY: TLB invalidation only drops cached translations.
    asm volatile("dsb ishst\n\ttlbi vaae1, %0\n\tdsb nsh\n\tisb" ::"r"(tlbi_operand(va, 0))
                 : "memory");
}

void flush_user_page(uptr va, u32 asid) {
    // SAFETY: as above, for one VA of one ASID.
    asm volatile("dsb ishst\n\ttlbi vae1, %0\n\tdsb nsh\n\tisb" ::"r"(tlbi_operand(va, asid))
                 : "memory");
}

void flush_user_asid(u32 asid) {
    // SAFETY: as above, for every VA of one ASID.
    asm volatile("dsb ishst\n\ttlbi aside1, %0\n\tdsb nsh\n\tisb" ::"r"(u64{asid} << asid_shift)
                 : "memory");
}

void user_access_begin() {
    if (has_pan) {
        // SAFETY: msr pan, #0: the kernel may reach user pages until user_access_end.
        asm volatile(".inst 0xd500409f" ::: "memory");
    }
}

void user_access_end() {
    if (has_pan) {
        // SAFETY: msr pan, #1: user pages are out of the kernel's reach again.
        asm volatile(".inst 0xd500419f" ::: "memory");
    }
}

} // namespace keel::arch
