// The memory concern of the arch contract (framework/arch_contract.h): declared once here, defined
// out of line by each framework/arch/<arch>/ folder.
#pragma once

#include <keel/boot_info.h>

#include "arch_contract.h"

namespace keel::arch {

uptr phys_to_virt(u64 phys);
u64 early_phys_limit();
PhysRange kernel_image_phys();
VirtRange boot_stack();
// Defined once, generically (framework/early_device_window.cc), over the primitives below.
Result<uptr> map_device_early(u64 phys, usize size);

// The early device window each arch reserves in its boot page tables: `pages` 4 KiB slots from
// `base`, for physical addresses below `phys_limit`.
struct DeviceWindow {
    uptr base = 0;
    usize pages = 0;
    u64 phys_limit = 0;
};
DeviceWindow device_window();
// Maps slot `slot` (< pages, unused so far) to the page at `phys` with device attributes.
void map_device_window_slot(usize slot, u64 phys);
// Makes the slots just mapped visible to the table walker.
void device_window_sync();

} // namespace keel::arch
