// aarch64 stage-1 descriptors, 4 KiB granule, 48-bit VA (Arm ARM D8.3): the PageTableFormat of
// mm/page_table.h. Pure bit work, also compiled into the host tests. Engine level 3 is the
// architecture's L0, level 0 its L3.
#pragma once

#include "mm/page_attrs.h"

namespace keel::arch {

class Aarch64PteFormat {
public:
    static constexpr u64 valid = u64{1} << 0;
    static constexpr u64 table_or_page = u64{1} << 1; // table at L0-L2, page at L3; 0: block
    static constexpr u64 attr_index_shift = 2;        // MAIR index: see mair below
    static constexpr u64 attr_index_mask = u64{7} << attr_index_shift;
    static constexpr u64 attr_normal = u64{0} << attr_index_shift;
    static constexpr u64 attr_device = u64{1} << attr_index_shift;
    static constexpr u64 ap_el0 = u64{1} << 6;    // AP[1]: EL0 may access
    static constexpr u64 ap_rdonly = u64{1} << 7; // AP[2]: read-only
    static constexpr u64 inner_shareable = u64{3} << 8;
    static constexpr u64 access_flag = u64{1} << 10;
    static constexpr u64 not_global = u64{1} << 11;
    static constexpr u64 pxn = u64{1} << 53;
    static constexpr u64 uxn = u64{1} << 54;
    static constexpr u64 address_mask = 0x0000'ffff'ffff'f000;
    // MAIR_EL1: index 0 Normal write-back read/write-allocate, index 1 Device-nGnRE.
    static constexpr u64 mair = 0x04ff;

    // Whether the kernel half has its own root (aarch64 TTBR1) instead of sharing the top
    // entries of every address space's root (x86 CR3, riscv satp).
    static constexpr bool separate_kernel_root = true;

    constexpr u32 levels() const { return 4; }
    constexpr u32 max_leaf_level() const { return 2; } // 1 GiB blocks at L1, 2 MiB at L2
    constexpr bool is_valid(u64 pte) const { return (pte & valid) != 0; }
    constexpr bool is_table(u64 pte, u32 level) const {
        return level > 0 && (pte & (valid | table_or_page)) == (valid | table_or_page);
    }
    constexpr u64 address(u64 pte, u32) const { return pte & address_mask; }
    constexpr u64 table(u64 phys, bool) const { return phys | valid | table_or_page; }
    constexpr u64 leaf(u64 phys, mm::PageAttrs a, u32 level) const {
        bool exec = has(a.perms, Perms::exec);
        // A user page is never executable by the kernel; a kernel page never by the user.
        u64 never_execute = a.user ? pxn | (exec ? 0 : uxn) : uxn | (exec ? 0 : pxn);
        bool device = a.type == MemType::device;
        return phys | valid | (level == 0 ? table_or_page : 0) | access_flag |
               (device ? attr_device : attr_normal | inner_shareable) |
               (has(a.perms, Perms::write) ? 0 : ap_rdonly) | (a.user ? ap_el0 : 0) |
               (a.global ? 0 : not_global) | never_execute;
    }
    constexpr mm::PageAttrs attrs(u64 pte, u32) const {
        bool user = (pte & ap_el0) != 0;
        Perms perms = Perms::read;
        if ((pte & ap_rdonly) == 0) {
            perms = perms | Perms::write;
        }
        if ((pte & (user ? uxn : pxn)) == 0) {
            perms = perms | Perms::exec;
        }
        return {perms, user, (pte & not_global) == 0,
                (pte & attr_index_mask) == attr_device ? MemType::device : MemType::normal};
    }
};

// The kernel's format. Not on the host, whose tests include every arch's format side by side.
#ifndef KEEL_HOST
using NativePteFormat = Aarch64PteFormat;
#endif

} // namespace keel::arch
