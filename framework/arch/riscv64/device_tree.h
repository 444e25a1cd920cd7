// riscv64: the boot device tree as the arch reads it for its own hardware (ISA extensions, the
// PLIC, the RTC): the framework's shared lookups, under the names the arch code uses.
#pragma once

#include "boot/live_device_tree.h"

namespace keel::arch::riscv {

inline Optional<boot::DeviceTree> boot_device_tree() { return boot::live_device_tree(); }
using boot::find_compatible;
using boot::find_phandle;
using boot::first_reg;
using boot::interrupt_source;

} // namespace keel::arch::riscv
