// Device discovery at boot (bus/bus.h).
#include <arch/pci.h>

#include <keel/log.h>

#include "boot/live_device_tree.h"

#include "bus/bus.h"
#include "bus/pci/discover.h"
#include "bus/pci/host_bridge.h"

namespace keel::pci {

void discover_device_tree_bridges() {
    Optional<boot::DeviceTree> dt = boot::live_device_tree();
    if (!dt) {
        return;
    }
    dt->for_each_node([&](boot::DeviceTree::Node node) {
        if (!dt->is_enabled(node) || !dt->is_compatible(node, "pci-host-ecam-generic")) {
            return;
        }
        Result<HostBridge> bridge = read_host_bridge(*dt, node);
        if (bridge.is_error()) {
            log::warn("pci: {}: malformed host bridge node ({}), ignored", dt->name(node),
                      bridge.error());
            return;
        }
        const HostBridge& b = bridge.value();
        log::info("pci: host bridge {} ECAM {:#x} buses {:02x}-{:02x}, io {:#x}+{:#x}, "
                  "mem {:#x}+{:#x}, mem64 {:#x}+{:#x}, {} INTx routes{}",
                  dt->name(node), b.ecam_base, b.bus_start, b.bus_end, b.io.cpu_base, b.io.size,
                  b.mem32.cpu_base, b.mem32.size, b.mem64.cpu_base, b.mem64.size,
                  b.intx_routes.size(),
                  b.msi_map_damaged ? StringView(" (msi-map malformed: no MSIs)") : StringView(""));
        if (Result<void> added = register_host_bridge(b); added.is_error()) {
            log::warn("pci: {}: cannot register ({})", dt->name(node), added.error());
        }
    });
}

} // namespace keel::pci

namespace keel::bus {

void discover_pci() {
    pci::discover_device_tree_bridges();
    arch::register_firmware_pci_bridges();
    pci::enumerate();
}

void discover_devices() {
    discover_platform_devices();
    discover_pci();
}

} // namespace keel::bus
