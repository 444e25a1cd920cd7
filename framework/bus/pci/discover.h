// PCI host bridge discovery from the device tree (discover_dt.cc); ACPI's is the arch's
// (arch/firmware_bus.h).
#pragma once

namespace keel::pci {

void discover_device_tree_bridges();

} // namespace keel::pci
