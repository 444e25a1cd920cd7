// Devices the firmware describes directly, without a bus to enumerate: device-tree nodes (and,
// on x86, the `virtio_mmio.device=<size>@<base>:<irq>` command-line form Linux takes). The
// framework lists those drivers may have - today every enabled node compatible with
// "virtio,mmio" - and hands each out once as a PlatformDevice: its register windows, its
// interrupts and its DmaSpace, taken from the node so a driver never names an address.
#pragma once

#include <keel/dma.h>
#include <keel/io_mem.h>
#include <keel/irq.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/string_view.h>

namespace keel {

struct PlatformDeviceInfo {
    StringView compatible; // the matching compatible string ("virtio,mmio")
    StringView name;       // the node's name ("virtio_mmio@10001000"), or "virtio_mmio.device"
    u64 first_reg = 0;     // the first window's physical address, for logs
    usize reg_count = 0;
    usize irq_count = 0;
    bool claimed = false;
};

class PlatformDevice {
public:
    PlatformDevice(PlatformDevice&& other) noexcept : index_(other.index_) {
        other.index_ = none_claimed;
    }
    PlatformDevice& operator=(PlatformDevice&&) = delete;
    PlatformDevice(const PlatformDevice&) = delete;
    PlatformDevice& operator=(const PlatformDevice&) = delete;
    ~PlatformDevice(); // unclaims

    const PlatformDeviceInfo& info() const;
    // The i-th reg window, whole (ENOENT beyond reg_count; IoMem::acquire's errors).
    Result<IoMem> map_reg(usize i) const;
    // The i-th interrupt (ENOENT beyond irq_count; IrqLine::acquire's errors).
    Result<IrqLine> irq(usize i) const;
    DmaSpace dma_space() const;

    usize index() const { return index_; }

private:
    friend struct PlatformDeviceAccess; // framework/bus/platform.cc
    explicit PlatformDevice(usize index) : index_(index) {}
    static constexpr usize none_claimed = ~usize{0};
    usize index_;
};

namespace platform {

usize device_count();
Optional<PlatformDeviceInfo> device_info(usize index);
// ENOENT beyond the list; EBUSY when claimed already.
Result<PlatformDevice> claim(usize index);

} // namespace platform

} // namespace keel
