// Raw MMIO accessors for the framework's own early devices (boot consoles). Everything else
// reaches device registers through IoMem windows; these exist because the console must work
// before any of that does.
#pragma once

#include <keel/ktl/types.h>

namespace keel::mmio {

// SAFETY (all four): `address` is a device mapping made by arch::map_device_early for a device
// whose registers the caller owns; volatile keeps each access exactly as written.
inline u8 read8(uptr address) { return *reinterpret_cast<volatile const u8*>(address); }
inline u32 read32(uptr address) { return *reinterpret_cast<volatile const u32*>(address); }
inline void write8(uptr address, u8 value) { *reinterpret_cast<volatile u8*>(address) = value; }
inline void write32(uptr address, u32 value) { *reinterpret_cast<volatile u32*>(address) = value; }

} // namespace keel::mmio
