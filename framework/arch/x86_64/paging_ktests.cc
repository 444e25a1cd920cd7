// ktests of x86-64 paging on the running machine: the kernel's page tables as the CPU walks
// them (read from CR3 through the page-table engine), the control bits that enforce them, the
// higher-half descriptor tables, and the user-root / TLB primitives of arch/paging.h.
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/ktl/fixed_vector.h>

#include <arch/memory.h>
#include <arch/paging.h>

#include "address.h"
#include "mm/kernel_space.h"
#include "mm/page_table.h"
#include "x86.h"

namespace keel::x86::paging_ktests {

using mm::PageAttrs;

constexpr u64 table_address_mask = arch::X86PteFormat::address_mask;

Span<u64> table_at(u64 phys) {
    // SAFETY: phys is a page-table page of a live root (or of the pool below), reached through
    // the linear map; the engine indexes it within table_entries.
    return Span<u64>::from_raw(reinterpret_cast<u64*>(arch::phys_to_virt(phys)), mm::table_entries);
}

// The tables the CPU walks now, for reading only.
struct LiveTables {
    Span<u64> entries(u64 phys) { return table_at(phys); }
    Result<u64> allocate_table() { return Errno::enomem; }
    void free_table(u64) {}
    void flush(uptr) {}
    void publish(uptr) {}
    void complete_flushes() {}
};

using LivePageTable = mm::PageTable<arch::NativePteFormat, LiveTables>;

u64 live_root() { return read_cr3() & table_address_mask; }

Optional<mm::Mapping> live_query(uptr va) {
    LiveTables memory;
    LivePageTable table(arch::pte_format(), memory, live_root());
    return table.query(va);
}

bool maps_as(uptr va, Perms perms, bool global) {
    Optional<mm::Mapping> m = live_query(va);
    return m && m->attrs == PageAttrs{perms, false, global, MemType::normal};
}

KTEST(x86_paging, cr3_holds_the_kernel_root) {
    KEXPECT_EQ(live_root(), mm::kernel_root());
    // Nothing of the boot tables is left: no identity map of low memory, no boot GDT.
    KEXPECT(!live_query(0).has_value());
    KEXPECT(!live_query(arch::kernel_image_phys().base).has_value());
    KEXPECT(!live_query(0x100000).has_value());
}

KTEST(x86_paging, image_sections_have_their_permissions) {
    arch::KernelLayout layout = arch::kernel_layout();
    KASSERT(layout.text.base < layout.text.end && layout.text.end <= layout.rodata.base);
    KASSERT(layout.rodata.end <= layout.data.base && layout.data.base < layout.data.end);
    for (VirtRange r : {layout.text, layout.rodata, layout.data}) {
        KEXPECT(is_page_aligned(r.base) && is_page_aligned(r.end));
    }
    KEXPECT_EQ(layout.image_phys, layout.text.base - kernel_vma);
    KEXPECT(layout.image_phys >= arch::kernel_image_phys().base);
    KEXPECT_EQ(layout.data.end - kernel_vma, arch::kernel_image_phys().end());

    // The first and last page of each, and the code running this test.
    KEXPECT(maps_as(layout.text.base, Perms::read_exec, true));
    KEXPECT(maps_as(layout.text.end - page_size, Perms::read_exec, true));
    KEXPECT(maps_as(address_of(&live_root), Perms::read_exec, true));
    KEXPECT(maps_as(layout.rodata.base, Perms::read, true));
    KEXPECT(maps_as(layout.rodata.end - page_size, Perms::read, true));
    KEXPECT(maps_as(layout.data.base, Perms::read_write, true));
    KEXPECT(maps_as(layout.data.end - page_size, Perms::read_write, true));
    // Each maps its own physical pages at the link offset.
    Optional<mm::Mapping> text = live_query(layout.text.base);
    KASSERT(text.has_value());
    KEXPECT_EQ(text->phys + (layout.text.base - text->va), layout.image_phys);
}

KTEST(x86_paging, linear_alias_of_the_image_is_not_writable_code) {
    arch::KernelLayout layout = arch::kernel_layout();
    uptr alias = arch::phys_to_virt(layout.image_phys);
    KEXPECT(maps_as(alias, Perms::read, true));
    KEXPECT(maps_as(alias + (layout.rodata.base - layout.text.base), Perms::read, true));
    KEXPECT(maps_as(alias + (layout.data.base - layout.text.base), Perms::read_write, true));
    // Ordinary RAM: read-write, never executable, global.
    u64 usable = 0;
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind == MemoryKind::Usable) {
            usable = r.base;
        }
    }
    KEXPECT(maps_as(arch::phys_to_virt(usable), Perms::read_write, true));
}

KTEST(x86_paging, boot_stack_guard_is_unmapped) {
    VirtRange stack = arch::boot_stack();
    KEXPECT(is_page_aligned(stack.base) && is_page_aligned(stack.end));
    KEXPECT(stack.end - stack.base >= 16 * 1024);
    KEXPECT(!live_query(stack.base - page_size).has_value());
    KEXPECT(maps_as(stack.base, Perms::read_write, true));
    KEXPECT(maps_as(stack.end - page_size, Perms::read_write, true));
    u64 local = 0;
    KEXPECT(stack.contains(address_of(&local), sizeof(local))); // ktests run on it
}

KTEST(x86_paging, dynamic_area_is_disjoint_and_prepared) {
    arch::KernelLayout layout = arch::kernel_layout();
    VirtRange dynamic = layout.dynamic;
    KEXPECT(dynamic.end - dynamic.base >= (u64{1} << 30));
    KEXPECT(dynamic.base % (u64{1} << 30) == 0);
    KEXPECT(dynamic.base >= layout.linear_base + layout.linear_size);
    KEXPECT(dynamic.end <= layout.text.base);
    KEXPECT(dynamic.end <= arch::device_window().base);
    KEXPECT(layout.user_end == 0x0000'7fff'ffff'f000);
    // Its PML4 entry exists, so user roots that copy the kernel half share what comes later.
    usize slot = LivePageTable::index(dynamic.base, 3);
    KEXPECT((table_at(live_root())[slot] & arch::X86PteFormat::present) != 0);
}

KTEST(x86_paging, control_bits_enforce_the_protections) {
    const Features& f = features();
    KEXPECT((read_cr0() & cr0_wp) != 0);
    KEXPECT((rdmsr(msr_efer) & efer_nxe) != 0);
    KEXPECT(((read_cr4() & cr4_pge) != 0) == f.pge);
    KEXPECT(((read_cr4() & cr4_smep) != 0) == f.smep);
    KEXPECT(((read_cr4() & cr4_smap) != 0) == f.smap);
    KEXPECT(((read_cr4() & cr4_pcide) != 0) == f.pcid);
    KEXPECT_EQ(arch::pte_format().max_leaf_level(), f.gigapages ? 2u : 1u);
    // The PAT: entry 0 (no PCD/PWT, RAM) write-back, entry 3 (PCD|PWT, devices) uncached.
    if (f.pat) {
        u64 pat = rdmsr(msr_pat);
        KEXPECT_EQ(pat & 0xff, 0x06u);
        KEXPECT_EQ((pat >> 24) & 0xff, 0x00u);
    }
}

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

KTEST(x86_paging, descriptor_tables_live_in_the_image) {
    DescriptorPointer gdtr{};
    DescriptorPointer idtr{};
    u16 tr = 0;
    // SAFETY: SGDT, SIDT and STR only store the registers into the locals given.
    asm volatile("sgdt %0; sidt %1; str %2" : "=m"(gdtr), "=m"(idtr), "=r"(tr));
    VirtRange data = arch::kernel_layout().data;
    KEXPECT(data.contains(gdtr.base, gdtr.limit + 1u));
    KEXPECT(data.contains(idtr.base, idtr.limit + 1u));
    KEXPECT_EQ(tr, tss_selector);
    // #DF (vector 8) switches to the emergency stack: IST slot 1 in its gate.
    // SAFETY: the IDT lies in mapped kernel data (checked above); byte 4 of a gate is its IST.
    u8 df_ist = *reinterpret_cast<const u8*>(idtr.base + 8 * 16 + 4);
    KEXPECT_EQ(df_ist, ist_double_fault);
    VirtRange emergency = emergency_stack();
    KEXPECT(data.contains(emergency.base, emergency.end - emergency.base));
    KEXPECT(emergency.end % 16 == 0 && emergency.end - emergency.base >= 8 * 1024);
    KEXPECT(maps_as(emergency.base, Perms::read_write, true));
}

KTEST(x86_paging, asid_count_matches_pcid_support) {
    u32 n = arch::asid_count();
    if (features().pcid) {
        KEXPECT_EQ(n, 4096u);
    } else {
        KEXPECT_EQ(n, 0u);
    }
}

KTEST(x86_paging, user_access_window_toggles_rflags_ac) {
    KEXPECT((read_rflags() & rflags_ac) == 0);
    arch::user_access_begin();
    bool open = (read_rflags() & rflags_ac) != 0;
    arch::user_access_end();
    KEXPECT_EQ(open, features().smap);
    KEXPECT((read_rflags() & rflags_ac) == 0);
}

// --- user roots and TLB maintenance ------------------------------------------------------------
// Two user roots built here from static pages, sharing the kernel half, mapping one user page
// to one of two data pages; the checks read through the user address after each remap and
// flush, both for the root in CR3 and for one that is not (its PCID owes a flush).

constexpr usize pool_pages = 8;
struct alignas(4096) TestPages {
    Array<Array<u64, mm::table_entries>, pool_pages> tables;
    Array<Array<u64, mm::table_entries>, 2> data;
};
constinit TestPages pages{};
constinit usize pool_used = 0;
constinit FixedVector<u64, pool_pages> pool_freed; // tables the engine gave back, for reuse

u64 image_phys_of(const void* p) { return address_of(p) - kernel_vma; }

struct PoolTables {
    Span<u64> entries(u64 phys) { return table_at(phys); }
    Result<u64> allocate_table() {
        if (!pool_freed.empty()) {
            u64 phys = pool_freed[pool_freed.size() - 1];
            pool_freed.remove_at(pool_freed.size() - 1);
            return phys; // the engine frees only empty tables: still zeroed
        }
        if (pool_used == pool_pages) {
            return Errno::enomem;
        }
        Array<u64, mm::table_entries>& t = pages.tables[pool_used++];
        t = {};
        return image_phys_of(&t);
    }
    void free_table(u64 phys) { (void)pool_freed.push(phys); } // fits: at most pool_pages
    void flush(uptr) {} // the test flushes through arch/paging.h itself
    void publish(uptr) {}
    void complete_flushes() {}
};
using PoolPageTable = mm::PageTable<arch::NativePteFormat, PoolTables>;

constexpr uptr user_va = 0x40'0000;
constexpr PageAttrs user_rw = PageAttrs::user_page(Perms::read_write);

// A root with the kernel half of the running kernel root, and user_va mapped to data page d.
Result<u64> make_user_root(PoolTables& memory, usize d) {
    u64 root = TRY(memory.allocate_table());
    Span<u64> kernel = table_at(mm::kernel_root());
    Span<u64> user = table_at(root);
    for (usize i = mm::table_entries / 2; i < mm::table_entries; ++i) {
        user[i] = kernel[i];
    }
    PoolPageTable table(arch::pte_format(), memory, root);
    TRY(table.map(user_va, image_phys_of(&pages.data[d]), page_size, user_rw));
    return root;
}

bool remap(PoolTables& memory, u64 root, usize d) {
    PoolPageTable table(arch::pte_format(), memory, root);
    return table.unmap(user_va, page_size, [](const mm::Mapping&) {}).ok() &&
           table.map(user_va, image_phys_of(&pages.data[d]), page_size, user_rw).ok();
}

u64 read_user_word() {
    arch::user_access_begin();
    // SAFETY: user_va is mapped readable in the active user root (make_user_root/remap).
    u64 v = *reinterpret_cast<const volatile u64*>(user_va);
    arch::user_access_end();
    return v;
}

KTEST(x86_paging, user_roots_switch_and_flush) {
    pool_used = 0;
    pool_freed.clear();
    pages.data[0][0] = 0x1111;
    pages.data[1][0] = 0x2222;
    PoolTables memory;
    Result<u64> a = make_user_root(memory, 0);
    Result<u64> b = make_user_root(memory, 0);
    KASSERT(a.ok() && b.ok());
    struct KernelHalfAfterwards {
        ~KernelHalfAfterwards() { arch::deactivate_user_root(); } // also when a KASSERT ends it
    } restore;
    bool pcids = arch::asid_count() >= 3;
    u32 asid_a = pcids ? 1 : 0;
    u32 asid_b = pcids ? 2 : 0;

    arch::activate_user_root(a.value(), asid_a);
    KEXPECT_EQ(read_cr3() & table_address_mask, a.value());
    KEXPECT_EQ(read_cr3() & 0xfff, u64{asid_a});
    KEXPECT_EQ(read_user_word(), 0x1111u);
    // The root in CR3: one page flushed.
    KASSERT(remap(memory, a.value(), 1));
    arch::flush_user_page(user_va, asid_a);
    KEXPECT_EQ(read_user_word(), 0x2222u);
    // The whole address space flushed.
    KASSERT(remap(memory, a.value(), 0));
    arch::flush_user_asid(asid_a);
    KEXPECT_EQ(read_user_word(), 0x1111u);

    // A root not in CR3: its flush is owed until it is loaded again.
    arch::activate_user_root(b.value(), asid_b);
    KEXPECT_EQ(read_user_word(), 0x1111u);
    KASSERT(remap(memory, a.value(), 1));
    arch::flush_user_page(user_va, asid_a);
    KEXPECT_EQ(read_user_word(), 0x1111u); // b is unaffected
    arch::activate_user_root(a.value(), asid_a);
    KEXPECT_EQ(read_user_word(), 0x2222u);

    // Kernel half only: the user address is gone, the kernel root back in CR3.
    arch::deactivate_user_root();
    KEXPECT_EQ(read_cr3(), mm::kernel_root());
    KEXPECT(!live_query(user_va).has_value());
}

} // namespace keel::x86::paging_ktests
