// Device discovery at boot (bus/bus.h).
#include <arch/firmware_bus.h>

#include "bus/bus.h"
#include "bus/pci/discover.h"
#include "bus/pci/host_bridge.h"

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
