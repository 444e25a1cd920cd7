// No configuration access besides ECAM on this arch.
#include <arch/pci.h>

namespace keel::arch {

pci::ConfigSpace* pci_legacy_config() { return nullptr; }

} // namespace keel::arch
