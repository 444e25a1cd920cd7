// PCI configuration mechanism #1: an address written to port 0xcf8 selects bus, device,
// function and dword; port 0xcfc (plus the byte offset) then reads or writes it. Only the first
// 256 bytes of each function are reachable this way. The two steps must not interleave between
// CPUs, hence the lock around each access.
#include <keel/spin_lock.h>

#include <arch/pci.h>

#include "x86.h"

namespace keel::arch {

namespace {

constexpr u16 address_port = 0xcf8;
constexpr u16 data_port = 0xcfc;

class PortConfigSpace final : public pci::ConfigSpace {
public:
    constexpr PortConfigSpace() = default;

    u32 size() const override { return 256; }

    Result<u32> read(pci::Bdf at, u16 offset, u32 width) override {
        if (!valid(at, offset, width)) {
            return Errno::einval;
        }
        SpinLockGuard guard(lock_);
        select(at, offset);
        u16 port = static_cast<u16>(data_port + (offset & 3));
        // SAFETY: the framework owns the configuration ports (nothing else uses 0xcf8-0xcff);
        // the lock keeps the address and data steps of one access together.
        if (width == 1) {
            return u32{x86::inb(port)};
        }
        if (width == 2) {
            return u32{x86::inw(port)};
        }
        return x86::inl(port);
    }

    Result<void> write(pci::Bdf at, u16 offset, u32 width, u32 value) override {
        if (!valid(at, offset, width)) {
            return Errno::einval;
        }
        SpinLockGuard guard(lock_);
        select(at, offset);
        u16 port = static_cast<u16>(data_port + (offset & 3));
        // SAFETY: as in read.
        if (width == 1) {
            x86::outb(port, static_cast<u8>(value));
        } else if (width == 2) {
            x86::outw(port, static_cast<u16>(value));
        } else {
            x86::outl(port, value);
        }
        return {};
    }

private:
    static void select(pci::Bdf at, u16 offset) {
        u32 address = (u32{1} << 31) | (u32{at.bus} << 16) | (u32{at.device} << 11) |
                      (u32{at.function} << 8) | (offset & 0xfc);
        // SAFETY: as in read.
        x86::outl(address_port, address);
    }

    SpinLock lock_;
};

[[clang::no_destroy]] constinit PortConfigSpace ports;

} // namespace

pci::ConfigSpace* pci_legacy_config() { return &ports; }

} // namespace keel::arch
