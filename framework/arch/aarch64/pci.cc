// The PCI contract (arch/pci.h): this arch boots with a device tree only, whose host bridges the
// generic code reads, and reaches configuration space through ECAM alone.
#include <arch/pci.h>

namespace keel::arch {

void register_firmware_pci_bridges() {}
pci::ConfigSpace* pci_legacy_config() { return nullptr; }

} // namespace keel::arch
