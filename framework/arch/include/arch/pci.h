// The PCI concern of the arch contract (framework/arch_contract.h): configuration access that
// is not ECAM. x86 has the legacy 0xcf8/0xcfc ports for machines without an MCFG table; the
// other arches have nothing of the kind and answer nullptr.
#pragma once

#include "bus/pci/config_space.h"

namespace keel::arch {

pci::ConfigSpace* pci_legacy_config();

} // namespace keel::arch
