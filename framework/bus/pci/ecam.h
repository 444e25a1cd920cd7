// ECAM (PCIe enhanced configuration access): each function's 4 KiB of configuration space at
// ecam_base + ((bus - bus_start) << 20 | device << 15 | function << 12). A bus's 1 MiB is
// mapped the first time it is touched, so a 256-bus window costs only the buses that exist.
#pragma once

#include <keel/io_mem.h>
#include <keel/ktl/array.h>
#include <keel/ktl/optional.h>
#include <keel/spin_lock.h>

#include "bus/pci/config_space.h"

namespace keel::pci {

class EcamConfigSpace final : public ConfigSpace {
public:
    EcamConfigSpace(u64 base, u8 bus_start, u8 bus_end)
        : base_(base), bus_start_(bus_start), bus_end_(bus_end) {}

    Result<u32> read(Bdf at, u16 offset, u32 width) override;
    Result<void> write(Bdf at, u16 offset, u32 width, u32 value) override;

private:
    static constexpr usize bus_bytes = usize{1} << 20;

    Result<const IoMem*> bus_window(u8 bus);
    static usize offset_in_bus(Bdf at, u16 offset) {
        return (usize{at.device} << 15) | (usize{at.function} << 12) | offset;
    }

    u64 base_;
    u8 bus_start_;
    u8 bus_end_;
    SpinLock lock_;
    Array<Optional<IoMem>, 256> buses_{}; // set once, never replaced: pointers stay valid
};

} // namespace keel::pci
