// Builds BootInfo::memory from what a boot protocol reports: RAM ranges and reservations that
// may overlap in any order. The result is sorted and disjoint; where ranges overlap, the most
// restrictive kind wins (any reservation beats Usable); usable ranges shrink to whole pages.
#pragma once

#include <keel/boot_info.h>

namespace keel::boot {

class MemoryMapBuilder {
public:
    static constexpr usize max_inputs = 192;

    // Ranges that are empty or wrap around the address space are ignored: firmware tables are
    // not trusted to be tidy. Returns ENOSPC when more ranges arrive than the builder holds.
    Result<void> add(u64 base, u64 size, MemoryKind kind);

    // Writes the normalized map; ENOSPC when it does not fit BootInfo::max_regions.
    Result<void> build(FixedVector<MemoryRegion, BootInfo::max_regions>& out) const;

private:
    FixedVector<MemoryRegion, max_inputs> inputs_;
};

// Higher wins where ranges overlap.
int memory_kind_priority(MemoryKind kind);

} // namespace keel::boot
