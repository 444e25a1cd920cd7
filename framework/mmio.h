// Raw MMIO accessors for the framework's own early devices (boot consoles). Everything else
// reaches device registers through IoMem windows; these exist because the console must work
// before any of that does.
#pragma once

#include <keel/ktl/types.h>

namespace keel::mmio {

// The register of T's width at `address`, for the four accessors below.
template <typename T>
inline auto* device_register(uptr address) {
    // SAFETY: callers pass an address inside a device mapping made by arch::map_device_early
    // for a device whose registers they own, aligned to the register's width (the UARTs'
    // register maps); volatile keeps each access exactly as written, neither merged nor
    // dropped.
    return reinterpret_cast<volatile T*>(address);
}

inline u8 read8(uptr address) { return *device_register<const u8>(address); }
inline u32 read32(uptr address) { return *device_register<const u32>(address); }
inline void write8(uptr address, u8 value) { *device_register<u8>(address) = value; }
inline void write32(uptr address, u32 value) { *device_register<u32>(address) = value; }

} // namespace keel::mmio
