// riscv64: the power-off device besides SBI. OpenSBI 1.1 turns every SRST shutdown into a
// successful QEMU exit whatever its reason, so a failing status needs QEMU's "sifive,test0"
// finisher, found in the device tree, to reach the exit status.
#pragma once

#include <keel/ktl/types.h>

namespace keel::arch::riscv {

// Looks for the finisher in the DTB at dtb_phys (linear map) and maps it; no-op without one.
void find_power_device(u64 dtb_phys);

} // namespace keel::arch::riscv
