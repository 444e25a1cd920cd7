// The boot console comes from the device tree (PL011 on QEMU virt). This is also the arch's
// first look at the tree, so it notes the PSCI conduit for power-off here.
#include <arch/console.h>

#include "arch/aarch64/aarch64.h"
#include "boot/live_device_tree.h"
#include "console/console.h"

namespace keel::arch {

Result<boot::DeviceTree> boot_device_tree(const BootInfo& info) {
    if (!info.device_tree) {
        return Errno::enodev;
    }
    Optional<boot::DeviceTree> dt = boot::live_device_tree();
    if (!dt) {
        return Errno::einval;
    }
    return *dt;
}

void install_console(const BootInfo& info) {
    Result<boot::DeviceTree> dt = boot_device_tree(info);
    if (dt.is_error()) {
        return; // boot::start reports the unusable handoff
    }
    if (Optional<boot::DeviceTree::Node> psci = dt.value().find("/psci")) {
        set_psci_method(dt.value().string_property(*psci, "method").value_or(""));
    }
    // Without a console there is nobody to tell; the kernel still runs and powers off.
    static_cast<void>(console::install_from_device_tree(dt.value()).ok());
}

} // namespace keel::arch
