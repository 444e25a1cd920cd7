// The boot console comes from the device tree (PL011 on QEMU virt). This is also the arch's
// first look at the tree, so it notes the PSCI conduit for power-off here.
#include <arch/console.h>
#include <arch/memory.h>

#include "arch/aarch64/aarch64.h"
#include "boot/devicetree.h"
#include "console/console.h"

namespace keel::arch {

void install_console(const BootInfo& info) {
    if (!info.device_tree) {
        return; // boot::start reports the unusable handoff
    }
    PhysRange dtb = *info.device_tree;
    // SAFETY: boot::start read and validated this blob through the same linear map.
    Bytes blob = Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(dtb.base)), dtb.size);
    Result<boot::DeviceTree> dt = boot::DeviceTree::open(blob);
    if (dt.is_error()) {
        return;
    }
    if (Optional<boot::DeviceTree::Node> psci = dt.value().find("/psci")) {
        set_psci_method(dt.value().string_property(*psci, "method").value_or(""));
    }
    // Without a console there is nobody to tell; the kernel still runs and powers off.
    static_cast<void>(console::install_from_device_tree(dt.value()).ok());
}

} // namespace keel::arch
