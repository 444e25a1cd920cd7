// The framework's side of IoMem: windows for its own early devices, and the device ranges it
// keeps from services and drivers.
#pragma once

#include <keel/io_mem.h>

namespace keel {

struct IoMemAccess {
    // A window over the early device window (works before the kernel address space exists;
    // stays mapped for good): the boot consoles.
    static Result<IoMem> early(u64 phys, usize size, u32 reg_shift = 0);
    // A window over a device the framework drives itself (an interrupt controller, the RTC):
    // mapped, then claimed, so IoMem::acquire refuses it to drivers from now on.
    static Result<IoMem> acquire_claimed(u64 phys, usize size);
    // A window inside a range the framework claimed already (the PCI ECAM space, mapped one bus
    // at a time): the claim check is skipped, the RAM check is not.
    static Result<IoMem> map_claimed(u64 phys, usize size);
};

// Devices the framework drives itself: IoMem::acquire refuses to overlap them (EPERM).
Result<void> claim_device_range(u64 phys, u64 size);
void release_device_range(u64 phys, u64 size);

} // namespace keel
