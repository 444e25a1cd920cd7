#include "boot/memory_map.h"

namespace keel::boot {

namespace {
constexpr u64 page_size = 4096;
} // namespace

int memory_kind_priority(MemoryKind kind) {
    // Any reservation beats Usable. Among reservations the more specific kind wins, so an
    // initrd that the bootloader also lists in /memreserve/ is still shown as the initrd; ACPI
    // NVS and bad memory win over everything, as nothing may ever reuse them.
    switch (kind) {
    case MemoryKind::Usable:
        return 0;
    case MemoryKind::AcpiReclaimable:
        return 1;
    case MemoryKind::Reserved:
        return 2;
    case MemoryKind::BootInfo:
        return 3;
    case MemoryKind::DeviceTree:
        return 4;
    case MemoryKind::Initrd:
        return 5;
    case MemoryKind::KernelImage:
        return 6;
    case MemoryKind::AcpiNvs:
        return 7;
    case MemoryKind::Bad:
        return 8;
    }
    return 8;
}

Result<void> MemoryMapBuilder::add(u64 base, u64 size, MemoryKind kind) {
    u64 end = 0;
    if (size == 0 || !checked_add(base, size, end)) {
        return {};
    }
    if (kind == MemoryKind::Usable) {
        // Only whole pages are usable; a partial page at either edge is not.
        u64 first = align_up(base, page_size);
        u64 last = align_down(end, page_size);
        if (first < base || last <= first) {
            return {};
        }
        base = first;
        size = last - first;
    }
    return inputs_.push(MemoryRegion{base, size, kind});
}

Result<void> MemoryMapBuilder::build(FixedVector<MemoryRegion, BootInfo::max_regions>& out) const {
    out.clear();
    // Every range edge is a boundary; between two neighbouring boundaries one kind applies.
    FixedVector<u64, 2 * max_inputs> edges;
    for (const MemoryRegion& r : inputs_) {
        for (u64 edge : {r.base, r.end()}) {
            usize at = 0;
            while (at < edges.size() && edges[at] < edge) {
                ++at;
            }
            if (at == edges.size() || edges[at] != edge) {
                edges.insert_at(at, edge);
            }
        }
    }
    for (usize i = 0; i + 1 < edges.size(); ++i) {
        u64 lo = edges[i];
        u64 hi = edges[i + 1];
        bool covered = false;
        MemoryKind kind = MemoryKind::Usable;
        for (const MemoryRegion& r : inputs_) {
            if (r.base <= lo && hi <= r.end()) {
                if (!covered || memory_kind_priority(r.kind) > memory_kind_priority(kind)) {
                    kind = r.kind;
                }
                covered = true;
            }
        }
        if (!covered) {
            continue;
        }
        if (!out.empty() && out[out.size() - 1].kind == kind && out[out.size() - 1].end() == lo) {
            out[out.size() - 1].size += hi - lo;
            continue;
        }
        TRY(out.push(MemoryRegion{lo, hi - lo, kind}));
    }
    // A reservation that ends mid-page leaves the rest of that page unusable.
    for (usize i = 0; i < out.size(); ++i) {
        MemoryRegion& r = out[i];
        if (r.kind != MemoryKind::Usable) {
            continue;
        }
        u64 first = align_up(r.base, page_size);
        u64 last = align_down(r.end(), page_size);
        if (last <= first) {
            out.remove_at(i);
            --i;
            continue;
        }
        r.base = first;
        r.size = last - first;
    }
    return {};
}

} // namespace keel::boot
