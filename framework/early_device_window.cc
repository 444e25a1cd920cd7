// map_device_early, once for every arch: range checks, reuse of what was already mapped, and
// slot accounting over the window the arch reserved (arch/memory.h). Early boot runs on one CPU
// with interrupts off, so no lock yet; the window never unmaps (IoMem replaces it later).
#include "early_device_window.h"

#include <arch/memory.h>

#include <keel/ktl/fixed_vector.h>

namespace keel::arch {

namespace {
constexpr u64 page_size = 4096;

constinit FixedVector<DeviceMapping, 16> mappings;
constinit usize slots_used = 0;
constinit Result<uptr> (*successor)(u64, usize) = nullptr;
} // namespace

Span<const DeviceMapping> early_device_mappings() { return mappings.span(); }

void retire_early_device_window(Result<uptr> (*map_device)(u64 phys, usize size)) {
    successor = map_device;
}

Result<uptr> map_device_early(u64 phys, usize size) {
    if (successor != nullptr) {
        return successor(phys, size);
    }
    DeviceWindow window = device_window();
    u64 end = 0;
    if (size == 0 || !checked_add(phys, u64{size}, end) || end > window.phys_limit) {
        return Errno::einval;
    }
    u64 first = align_down(phys, page_size);
    usize pages = static_cast<usize>((align_up(end, page_size) - first) / page_size);
    for (const DeviceMapping& m : mappings) {
        if (first >= m.phys && end <= m.phys + m.pages * page_size) {
            return window.base + m.first_slot * page_size + (phys - m.phys);
        }
    }
    if (pages > window.pages - slots_used || mappings.full()) {
        return Errno::enomem;
    }
    usize slot = slots_used;
    (void)mappings.push({first, pages, slot}); // cannot fail: not full (checked above)
    for (usize i = 0; i < pages; ++i) {
        map_device_window_slot(slot + i, first + i * page_size);
    }
    device_window_sync();
    slots_used += pages;
    return window.base + slot * page_size + (phys - first);
}

} // namespace keel::arch
