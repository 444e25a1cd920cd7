// The paging concern of the arch contract (arch/paging.h) on x86-64: 4-level tables, CR3, PCIDs
// when the CPU has them, INVLPG, and SMAP's AC flag for user access windows.
//
// Kernel virtual layout (the kernel's own page tables, built by mm/kernel_space.cc):
//   0xffff800000000000 .. +64 TiB    linear map of physical memory (PML4 slots 256-383), as at boot
//   0xffffc00000000000 .. +1 GiB     dynamic: kernel stacks and IoMem windows (PML4 slot 384)
//   0xffffffff80000000 + image       the kernel image at its link address (kernel code model)
//   0xffffffffc0000000 .. +2 MiB     the early device window (entry.S)
//
// TLB tagging. Without PCIDs every CR3 load drops all non-global translations, kernel ones are
// global, and asid_count() is 0. With PCIDs (CR4.PCIDE, set in cpu_features.cc) user roots
// run tagged with their ASID as PCID 1..4095; the kernel root and ASID 0 use PCID 0, which is
// loaded with a flush every time, so it never holds another root's translations. A PCID can
// hold stale entries only while it is not loaded; flushes aimed at such a PCID are recorded
// per CPU and done when it is next loaded (no INVPCID needed). Kernel mappings are global: one
// INVLPG drops them whatever PCID is current (their cached table entries need more, see
// flush_kernel_page).
#include <arch/paging.h>
#include <arch/smp.h>

#include "kernel_image.h"

#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/panic.h>

#include "mm/cpu_local.h"
#include "x86.h"

namespace keel::arch {

namespace {
constexpr uptr dynamic_base = 0xffff'c000'0000'0000;
constexpr u64 dynamic_size = u64{1} << 30;
constexpr u64 linear_window = u64{64} << 40; // PML4 slots 256-383
constexpr uptr user_space_end = 0x0000'7fff'ffff'f000;
constexpr u32 pcid_count = 4096;
constexpr u64 cr3_no_flush = u64{1} << 63; // with PCIDE: keep the PCID's translations

// One CPU's view: the kernel root, the PCID loaded now, and the PCIDs that owe a flush.
struct PagingState {
    u64 kernel_root = 0;
    u32 current_pcid = 0;
    Array<u64, pcid_count / 64> stale{};

    bool take_stale(u32 pcid) {
        u64 mask = u64{1} << (pcid % 64);
        bool was = (stale[pcid / 64] & mask) != 0;
        stale[pcid / 64] &= ~mask;
        return was;
    }
    void mark_stale(u32 pcid) { stale[pcid / 64] |= u64{1} << (pcid % 64); }
    void mark_all_stale() {
        for (u64& word : stale) {
            word = ~u64{0};
        }
    }
};
constinit Array<PagingState, max_cpus> cpu_paging{};
PagingState& this_cpu_paging() { return cpu_paging[cpu_index()]; }

bool pcids_on() { return (x86::read_cr4() & x86::cr4_pcide) != 0; }

void invlpg(uptr va) {
    // SAFETY: dropping a cached translation never breaks a mapping; the next access walks.
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}
} // namespace

NativePteFormat pte_format() {
    // The format sets XD in every non-executable leaf; without EFER.NXE that bit is reserved
    // and every access through such a leaf would fault. x86-64 CPUs without NX are ancient.
    if (!x86::features().nx) {
        panic("x86_64: the CPU lacks NX (CPUID 80000001H:EDX[20]); Keel needs it");
    }
    return NativePteFormat(x86::features().gigapages);
}

KernelLayout kernel_layout() {
    u64 phys_span =
        x86::features().phys_bits >= 46 ? linear_window : u64{1} << x86::features().phys_bits;
    return {x86::linear_map_base,
            phys_span,
            {dynamic_base, dynamic_base + dynamic_size},
            user_space_end,
            linked_image_sections().text,
            linked_image_sections().rodata,
            linked_image_sections().data,
            linked_image_sections().text.base - x86::kernel_vma};
}

} // namespace keel::arch

void keel::x86::load_kernel_root(u64 root_phys) {
    arch::PagingState& s = arch::this_cpu_paging();
    // The GDT, IDT, TSS and the boot CPU's emergency stack are in the kernel image
    // (cpu_tables.cc, traps.cc), the boot stack too; a secondary CPU's stacks are in the
    // dynamic area: all mapped in root.
    s.kernel_root = root_phys;
    s.current_pcid = 0;
    x86::write_cr3(root_phys); // PCID 0, no "keep" bit: its non-global entries go
    // Toggling CR4.PGE drops every translation, global ones and all PCIDs included. Without
    // PGE (no x86-64 CPU lacks it) the G bit means nothing and the CR3 load flushed it all.
    u64 cr4 = x86::read_cr4();
    if ((cr4 & x86::cr4_pge) != 0) {
        x86::write_cr4(cr4 & ~x86::cr4_pge);
        x86::write_cr4(cr4);
    }
    s.stale = {};
}

namespace keel::arch {

void activate_kernel_root(u64 root_phys) {
    x86::load_kernel_root(root_phys);
    const x86::Features& f = x86::features();
    auto yes_no = [](bool b) { return b ? StringView("yes") : StringView("no"); };
    log::info("paging: x86-64 4-level, 1 GiB pages {}, PCIDs {}, SMEP {}, SMAP {}, PAT {}",
              yes_no(f.gigapages), yes_no(pcids_on()), yes_no(f.smep), yes_no(f.smap),
              f.pat ? StringView("reset value (UC for PCD|PWT)") : StringView("none"));
}

u32 asid_count() { return pcids_on() ? pcid_count : 0; }

void activate_user_root(u64 root_phys, u32 asid) {
    PagingState& s = this_cpu_paging();
    if (!pcids_on() || asid == 0 || asid >= pcid_count) {
        s.current_pcid = 0;
        x86::write_cr3(root_phys); // flushes every non-global translation (of PCID 0)
        return;
    }
    bool keep = !s.take_stale(asid);
    s.current_pcid = asid;
    x86::write_cr3(root_phys | asid | (keep ? cr3_no_flush : 0));
}

void deactivate_user_root() {
    PagingState& s = this_cpu_paging();
    s.current_pcid = 0;
    x86::write_cr3(s.kernel_root); // PCID 0 with a flush: no user translation survives
}

void flush_kernel_page(uptr va) {
    invlpg(va);
    // INVLPG drops a global translation under every PCID, but the paging-structure caches
    // (cached PML4E/PDPTE/PDE) only of the current one, and the engine also flushes here when
    // it frees a kernel table. Other PCIDs must not keep walking a freed table: they all
    // flush when next loaded. The engine calls this for new kernel leaves too (stacks, IoMem),
    // so after such a change each address space's next switch costs what it costs without
    // PCIDs; switches between kernel changes keep their translations.
    if (pcids_on()) {
        this_cpu_paging().mark_all_stale();
    }
}

void flush_user_page(uptr va, u32 asid) {
    PagingState& s = this_cpu_paging();
    if (!pcids_on() || asid == s.current_pcid) {
        invlpg(va); // the current PCID's entry for va
    } else if (asid != 0 && asid < pcid_count) {
        s.mark_stale(asid);
    }
    // ASID 0 while not loaded: PCID 0 is flushed whenever it is loaded.
}

void flush_user_asid(u32 asid) {
    PagingState& s = this_cpu_paging();
    if (!pcids_on() || asid == s.current_pcid) {
        // Reloading CR3 without the keep bit drops the current PCID's non-global entries.
        x86::write_cr3(x86::read_cr3() & ~cr3_no_flush);
    } else if (asid != 0 && asid < pcid_count) {
        s.mark_stale(asid);
    }
}

void user_access_begin() {
    if (x86::features().smap) {
        // SAFETY: sets RFLAGS.AC, which SMAP reads as "user pages may be touched now".
        asm volatile("stac" : : : "memory");
    }
}

void user_access_end() {
    if (x86::features().smap) {
        // SAFETY: clears RFLAGS.AC: user pages are out of the kernel's reach again.
        asm volatile("clac" : : : "memory");
    }
}

} // namespace keel::arch
