#include "bus/pci/ecam.h"

#include "io_mem_internal.h"

namespace keel::pci {

Result<const IoMem*> EcamConfigSpace::bus_window(u8 bus) {
    if (bus < bus_start_ || bus > bus_end_) {
        return Errno::einval;
    }
    usize slot = bus - bus_start_;
    {
        SpinLockGuard guard(lock_);
        if (buses_[slot].has_value()) {
            return &*buses_[slot];
        }
    }
    // Mapped outside the lock (it may allocate page tables); a racing CPU's mapping that lost
    // is dropped after the guard is gone.
    IoMem fresh = TRY(IoMemAccess::map_claimed(base_ + u64{slot} * bus_bytes, bus_bytes));
    Optional<IoMem> loser;
    SpinLockGuard guard(lock_);
    if (buses_[slot].has_value()) {
        loser = move(fresh);
    } else {
        buses_[slot] = move(fresh);
    }
    return &*buses_[slot];
}

Result<u32> EcamConfigSpace::read(Bdf at, u16 offset, u32 width) {
    if (!valid(at, offset, width)) {
        return Errno::einval;
    }
    const IoMem* window = TRY(bus_window(at.bus));
    usize at_offset = offset_in_bus(at, offset);
    if (width == 1) {
        return u32{TRY(window->read8(at_offset))};
    }
    if (width == 2) {
        return u32{TRY(window->read16(at_offset))};
    }
    return window->read32(at_offset);
}

Result<void> EcamConfigSpace::write(Bdf at, u16 offset, u32 width, u32 value) {
    if (!valid(at, offset, width)) {
        return Errno::einval;
    }
    const IoMem* window = TRY(bus_window(at.bus));
    usize at_offset = offset_in_bus(at, offset);
    if (width == 1) {
        return window->write8(at_offset, static_cast<u8>(value));
    }
    if (width == 2) {
        return window->write16(at_offset, static_cast<u16>(value));
    }
    return window->write32(at_offset, value);
}

} // namespace keel::pci
