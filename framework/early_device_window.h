// The early device window's bookkeeping (early_device_window.cc), for the kernel address space
// that takes it over.
#pragma once

#include <keel/ktl/result.h>
#include <keel/ktl/span.h>

namespace keel::arch {

struct DeviceMapping {
    u64 phys = 0; // page aligned
    usize pages = 0;
    usize first_slot = 0;
};

// The ranges map_device_early handed out so far.
Span<const DeviceMapping> early_device_mappings();

// From now on map_device_early maps through this function (the kernel space's device mapping)
// instead of the boot tables' window, which are no longer in use.
void retire_early_device_window(Result<uptr> (*map_device)(u64 phys, usize size));

} // namespace keel::arch
