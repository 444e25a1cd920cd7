// The boot device tree in place, and shared lookups (live_device_tree.h).
#include "boot/live_device_tree.h"

#include <arch/memory.h>

namespace keel::boot {

Optional<DeviceTree> live_device_tree() {
    Optional<PhysRange> dtb = boot_info().device_tree;
    if (!dtb || dtb->end() > arch::early_phys_limit()) {
        return none;
    }
    // SAFETY: boot::start parsed this range as the DTB through the same linear map, which
    // covers it for good, and the memory map keeps it reserved (MemoryKind::DeviceTree).
    Bytes blob =
        Bytes::from_raw(reinterpret_cast<const u8*>(arch::phys_to_virt(dtb->base)), dtb->size);
    Result<DeviceTree> dt = DeviceTree::open(blob);
    return dt.ok() ? Optional<DeviceTree>(dt.value()) : none;
}

} // namespace keel::boot
