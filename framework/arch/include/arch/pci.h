// The PCI concern of the arch contract (framework/arch_contract.h): what the arch's own firmware
// and hardware add to the generic PCI code. Device-tree host bridges are found generically
// (framework/bus/pci/discover_dt.cc); x86 adds those of the ACPI MCFG table and the legacy
// 0xcf8/0xcfc configuration ports for machines without one. The other arches add nothing.
#pragma once

#include "arch_contract.h"
#include "bus/pci/config_space.h"

namespace keel::arch {

// Registers the host bridges the arch's firmware tables describe (pci::register_host_bridge).
void register_firmware_pci_bridges();

// Configuration access that is not ECAM, for a bridge registered with ecam_base 0; nullptr
// where the arch has none.
pci::ConfigSpace* pci_legacy_config();

} // namespace keel::arch
