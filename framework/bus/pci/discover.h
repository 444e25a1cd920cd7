// PCI host bridge discovery from the device tree (discover_dt.cc); ACPI's is the arch's
// (arch/pci.h).
#pragma once

#include "boot/devicetree.h"
#include "bus/pci/host_bridge.h"

namespace keel::pci {

// Every enabled pci-host-ecam-generic node of the boot tree, registered (kernel only).
void discover_device_tree_bridges();

// One such node as a HostBridge (portable: host tests feed QEMU's DTBs). EINVAL for a node
// whose reg, bus-range, ranges, interrupt-map or msi-map is malformed.
Result<HostBridge> read_host_bridge(const boot::DeviceTree& dt, boot::DeviceTree::Node node);

} // namespace keel::pci
