// The firmware-bus concern of the arch contract (framework/arch_contract.h): host bridges the
// arch's own firmware tables describe (x86: the ACPI MCFG table). Device-tree bridges are
// found generically (framework/bus/pci/discover_dt.cc), so DT-only arches register none here.
#pragma once

#include "arch_contract.h"

namespace keel::arch {

void register_firmware_pci_bridges();

} // namespace keel::arch
