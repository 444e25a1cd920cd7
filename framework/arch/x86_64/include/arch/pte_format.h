// x86-64 4-level paging entries (Intel SDM vol. 3, 4.5): the PageTableFormat of mm/page_table.h.
// Pure bit work, also compiled into the host tests.
#pragma once

#include "mm/page_attrs.h"

namespace keel::arch {

class X86PteFormat {
public:
    static constexpr u64 present = u64{1} << 0;
    static constexpr u64 writable = u64{1} << 1;
    static constexpr u64 user = u64{1} << 2;
    static constexpr u64 write_through = u64{1} << 3; // PWT
    static constexpr u64 cache_disable = u64{1} << 4; // PCD
    static constexpr u64 accessed = u64{1} << 5;
    static constexpr u64 dirty = u64{1} << 6;
    static constexpr u64 large = u64{1} << 7; // PS at levels 1 and 2; PAT at level 0
    static constexpr u64 global = u64{1} << 8;
    static constexpr u64 no_execute = u64{1} << 63;
    static constexpr u64 address_mask = 0x000f'ffff'ffff'f000;
    // With the power-on PAT, PCD|PWT selects entry 3: UC, what device registers need.
    static constexpr u64 device = cache_disable | write_through;

    // gigapages: CPUID.80000001H:EDX.Page1GB (QEMU's default CPU lacks it).
    constexpr explicit X86PteFormat(bool gigapages = true) : max_leaf_(gigapages ? 2 : 1) {}

    // Whether the kernel half has its own root (aarch64 TTBR1) instead of sharing the top
    // entries of every address space's root (x86 CR3, riscv satp).
    static constexpr bool separate_kernel_root = false;

    constexpr u32 levels() const { return 4; }
    constexpr u32 max_leaf_level() const { return max_leaf_; }
    constexpr bool is_valid(u64 pte) const { return (pte & present) != 0; }
    constexpr bool is_table(u64 pte, u32 level) const {
        return level > 0 && is_valid(pte) && (pte & large) == 0;
    }
    constexpr u64 address(u64 pte, u32 level) const {
        // Large leaves keep their PAT bit at bit 12, inside the address field.
        u64 mask = level == 0 || is_table(pte, level)
                       ? address_mask
                       : address_mask & ~((page_size << (9 * level)) - 1);
        return pte & mask;
    }
    constexpr u64 table(u64 phys, bool user_half) const {
        return phys | present | writable | (user_half ? user : 0);
    }
    constexpr u64 leaf(u64 phys, mm::PageAttrs a, u32 level) const {
        bool write = has(a.perms, Perms::write);
        return phys | present | accessed | (write ? writable | dirty : 0) | (a.user ? user : 0) |
               (a.global ? global : 0) | (has(a.perms, Perms::exec) ? 0 : no_execute) |
               (level > 0 ? large : 0) | (a.type == MemType::device ? device : 0);
    }
    constexpr mm::PageAttrs attrs(u64 pte, u32) const {
        Perms perms = Perms::read;
        if ((pte & writable) != 0) {
            perms = perms | Perms::write;
        }
        if ((pte & no_execute) == 0) {
            perms = perms | Perms::exec;
        }
        return {perms, (pte & user) != 0, (pte & global) != 0,
                (pte & device) == device ? MemType::device : MemType::normal};
    }

private:
    u32 max_leaf_;
};

// The kernel's format. Not on the host, whose tests include every arch's format side by side.
#ifndef KEEL_HOST
using NativePteFormat = X86PteFormat;
#endif

} // namespace keel::arch
