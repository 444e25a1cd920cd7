// The firmware-bus contract (arch/firmware_bus.h): this arch boots with a device tree only,
// whose PCI host bridges the generic code reads; no ACPI tables to add.
#include <arch/firmware_bus.h>

namespace keel::arch {

void register_firmware_pci_bridges() {}

} // namespace keel::arch
