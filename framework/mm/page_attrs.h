// The attributes of one leaf mapping, in the arch-neutral form every PTE format (arch/pte_format.h
// of each arch) encodes and decodes.
#pragma once

#include <keel/page.h>

namespace keel::mm {

struct PageAttrs {
    Perms perms = Perms::read;
    bool user = false;   // reachable from user mode
    bool global = false; // kept in the TLB across address-space switches (kernel mappings)
    MemType type = MemType::normal;

    constexpr bool operator==(const PageAttrs&) const = default;

    static constexpr PageAttrs kernel(Perms perms, MemType type = MemType::normal) {
        return {perms, false, true, type};
    }
    static constexpr PageAttrs user_page(Perms perms) {
        return {perms, true, false, MemType::normal};
    }
};

} // namespace keel::mm
