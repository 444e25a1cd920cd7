// riscv64 Sv39/Sv48 entries (privileged spec, "Sv39" and "Svpbmt"): the PageTableFormat of
// mm/page_table.h. Pure bit work, also compiled into the host tests.
#pragma once

#include "mm/page_attrs.h"

namespace keel::arch {

class RiscvPteFormat {
public:
    static constexpr u64 valid = u64{1} << 0;
    static constexpr u64 read = u64{1} << 1;
    static constexpr u64 write = u64{1} << 2;
    static constexpr u64 execute = u64{1} << 3;
    static constexpr u64 user = u64{1} << 4;
    static constexpr u64 global = u64{1} << 5;
    static constexpr u64 accessed = u64{1} << 6;
    static constexpr u64 dirty = u64{1} << 7;
    static constexpr u64 pbmt_mask = u64{3} << 61;
    static constexpr u64 pbmt_io = u64{2} << 61; // Svpbmt: non-cacheable, strongly ordered
    static constexpr u64 ppn_mask = (u64{1} << 44) - 1;

    // levels: 3 for Sv39, 4 for Sv48 (probed at boot). svpbmt: the CPU honours PBMT; without
    // it the platform's PMAs alone make device memory uncached, and the bits must stay zero.
    constexpr RiscvPteFormat(u32 levels, bool svpbmt) : levels_(levels), svpbmt_(svpbmt) {}

    // Whether the kernel half has its own root (aarch64 TTBR1) instead of sharing the top
    // entries of every address space's root (x86 CR3, riscv satp).
    static constexpr bool separate_kernel_root = false;

    constexpr u32 levels() const { return levels_; }
    constexpr u32 max_leaf_level() const { return 2; }
    constexpr bool is_valid(u64 pte) const { return (pte & valid) != 0; }
    constexpr bool is_table(u64 pte, u32 level) const {
        return level > 0 && is_valid(pte) && (pte & (read | write | execute)) == 0;
    }
    constexpr u64 address(u64 pte, u32) const { return ((pte >> 10) & ppn_mask) << 12; }
    constexpr u64 table(u64 phys, bool) const { return (phys >> 12) << 10 | valid; }
    constexpr u64 leaf(u64 phys, mm::PageAttrs a, u32) const {
        // Accessed and dirty are set up front: CPUs without hardware A/D updates would fault.
        bool w = has(a.perms, Perms::write);
        return (phys >> 12) << 10 | valid | read | accessed | (w ? write | dirty : 0) |
               (has(a.perms, Perms::exec) ? execute : 0) | (a.user ? user : 0) |
               (a.global ? global : 0) | (a.type == MemType::device && svpbmt_ ? pbmt_io : 0);
    }
    constexpr mm::PageAttrs attrs(u64 pte, u32) const {
        Perms perms = Perms::read;
        if ((pte & write) != 0) {
            perms = perms | Perms::write;
        }
        if ((pte & execute) != 0) {
            perms = perms | Perms::exec;
        }
        return {perms, (pte & user) != 0, (pte & global) != 0,
                (pte & pbmt_mask) == pbmt_io ? MemType::device : MemType::normal};
    }
    constexpr bool svpbmt() const { return svpbmt_; }

private:
    u32 levels_;
    bool svpbmt_;
};

// The kernel's format. Not on the host, whose tests include every arch's format side by side.
#ifndef KEEL_HOST
using NativePteFormat = RiscvPteFormat;
#endif

} // namespace keel::arch
