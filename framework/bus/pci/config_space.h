// Configuration-space access for the PCI core, behind an interface so the enumeration runs the
// same against ECAM (the kernel), the x86 legacy ports, or a fake topology (host tests). Every
// access names bus, device, function and a naturally aligned offset; a backend answers EINVAL
// for what it cannot reach rather than touching something else.
#pragma once

#include <keel/ktl/result.h>

namespace keel::pci {

struct Bdf {
    u8 bus = 0;
    u8 device = 0;   // 0-31
    u8 function = 0; // 0-7
};

class ConfigSpace {
public:
    // width is 1, 2 or 4; offset is a multiple of width below size().
    virtual Result<u32> read(Bdf at, u16 offset, u32 width) = 0;
    virtual Result<void> write(Bdf at, u16 offset, u32 width, u32 value) = 0;
    virtual u32 size() const { return 4096; } // 256 for the legacy ports

    Result<u8> read8(Bdf at, u16 offset) { return static_cast<u8>(TRY(read(at, offset, 1))); }
    Result<u16> read16(Bdf at, u16 offset) { return static_cast<u16>(TRY(read(at, offset, 2))); }
    Result<u32> read32(Bdf at, u16 offset) { return read(at, offset, 4); }
    Result<void> write8(Bdf at, u16 offset, u8 value) { return write(at, offset, 1, value); }
    Result<void> write16(Bdf at, u16 offset, u16 value) { return write(at, offset, 2, value); }
    Result<void> write32(Bdf at, u16 offset, u32 value) { return write(at, offset, 4, value); }

    // What every backend checks before it touches anything.
    bool valid(Bdf at, u16 offset, u32 width) const {
        bool width_ok = width == 1 || width == 2 || width == 4;
        return width_ok && at.device < 32 && at.function < 8 && offset % width == 0 &&
               u32{offset} + width <= size();
    }

protected:
    ~ConfigSpace() = default;
};

// Registers of the configuration header (both types unless noted).
namespace reg {
inline constexpr u16 vendor = 0x00;
inline constexpr u16 device = 0x02;
inline constexpr u16 command = 0x04;
inline constexpr u16 status = 0x06;
inline constexpr u16 revision = 0x08; // then prog-if, subclass, class
inline constexpr u16 header_type = 0x0e;
inline constexpr u16 bar0 = 0x10;
inline constexpr u16 subsystem_vendor = 0x2c; // type 0
inline constexpr u16 subsystem = 0x2e;        // type 0
inline constexpr u16 capabilities = 0x34;
inline constexpr u16 interrupt_pin = 0x3d;
// Type 1 (PCI-to-PCI bridge).
inline constexpr u16 primary_bus = 0x18;
inline constexpr u16 secondary_bus = 0x19;
inline constexpr u16 subordinate_bus = 0x1a;
inline constexpr u16 io_base = 0x1c;
inline constexpr u16 io_limit = 0x1d;
inline constexpr u16 memory_base = 0x20;
inline constexpr u16 memory_limit = 0x22;
inline constexpr u16 prefetch_base = 0x24;
inline constexpr u16 prefetch_limit = 0x26;
inline constexpr u16 prefetch_base_upper = 0x28;
inline constexpr u16 prefetch_limit_upper = 0x2c;
inline constexpr u16 io_base_upper = 0x30;
inline constexpr u16 io_limit_upper = 0x32;
} // namespace reg

namespace command {
inline constexpr u16 io = 1 << 0;
inline constexpr u16 memory = 1 << 1;
inline constexpr u16 bus_master = 1 << 2;
inline constexpr u16 intx_disable = 1 << 10;
} // namespace command

inline constexpr u16 status_capabilities = 1 << 4;
inline constexpr u8 cap_msi = 0x05;
inline constexpr u8 cap_msix = 0x11;

} // namespace keel::pci
