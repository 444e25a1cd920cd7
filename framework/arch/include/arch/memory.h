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
Result<uptr> map_device_early(u64 phys, usize size);

} // namespace keel::arch
