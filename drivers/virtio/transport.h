// A virtio transport: how a driver reaches one virtio device - its status and feature registers,
// its configuration space, its queues' registers and notifications, and its interrupt - whatever
// bus it sits on. Two implementations: virtio-mmio version 2 (mmio_transport.cc, device-tree
// nodes) and virtio-pci modern (pci_transport.cc). The initialization sequence (virtio 1.2,
// 3.1.1), feature negotiation and generation-checked configuration reads are written once here on
// top of the per-bus primitives. Every value a device reports is checked; a device that breaks
// the rules gets EIO and the FAILED status, never a crash.
#pragma once

#include <keel/dma.h>
#include <keel/irq.h>
#include <keel/ktl/string_view.h>
#include <keel/pci.h>
#include <keel/platform_device.h>

#include "drivers/virtio/virtqueue.h"

namespace keel::drivers::virtio {

// Device status bits (2.1).
namespace device_status {
inline constexpr u8 acknowledge = 1;
inline constexpr u8 driver = 2;
inline constexpr u8 driver_ok = 4;
inline constexpr u8 features_ok = 8;
inline constexpr u8 needs_reset = 64;
inline constexpr u8 failed = 128;
} // namespace device_status

// Device-independent feature bits (6).
inline constexpr u64 feature_version_1 = u64{1} << 32;
inline constexpr u64 feature_access_platform = u64{1} << 33;

// Device ids (5).
namespace device_id {
inline constexpr u32 block = 2;
inline constexpr u32 console = 3;
inline constexpr u32 entropy = 4;
} // namespace device_id

// What acknowledge_interrupt() found.
inline constexpr u32 interrupt_queue = 1;  // a used ring may have new entries
inline constexpr u32 interrupt_config = 2; // the configuration changed

class Transport : public Notifier {
public:
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;
    virtual ~Transport() = default;

    virtual u32 device_id() const = 0;
    // Where the device is, for logs: "pci 0000:00:03.0 (MSI-X 2 vectors)", "virtio_mmio@... irq 8".
    virtual StringView description() const = 0;
    virtual DmaSpace dma_space() const = 0;

    // --- per-bus primitives -------------------------------------------------------------------
    virtual Result<u8> read_status() = 0;
    virtual Result<void> write_status(u8 status) = 0;
    virtual Result<u64> read_device_features() = 0;
    virtual Result<void> write_driver_features(u64 features) = 0;
    virtual Result<u32> config_generation() = 0;
    virtual usize config_size() const = 0;
    // One access of width 1, 2 or 4 to the device configuration, inside config_size().
    virtual Result<u32> config_read(usize offset, usize width) = 0;
    virtual Result<void> config_write(usize offset, usize width, u32 value) = 0;
    // The device's maximum size of queue index; 0 when the queue does not exist.
    virtual Result<u32> queue_max_size(u16 index) = 0;
    // Tells the device the queue's size and addresses and enables it.
    virtual Result<void> enable_queue(const Virtqueue& queue) = 0;
    // Reads and acknowledges the interrupt status: interrupt_* bits, 0 when the interrupt was not
    // this device's (a shared line).
    virtual Result<u32> acknowledge_interrupt() = 0;
    // Attaches handler to the device's interrupt(s) and enables them. ENODEV without one.
    virtual Result<void> attach_interrupt(IrqHandler& handler) = 0;
    virtual void detach_interrupt() = 0;
    virtual u64 interrupt_count() const = 0;

    // What a bus must redo after a reset (virtio-pci: the MSI-X vectors, which a reset forgets).
    virtual Result<void> after_reset() { return {}; }

    // --- the common sequence ------------------------------------------------------------------
    // Writes 0 to the status and waits, a bounded number of reads, until the device reads back
    // 0 (virtio 1.2, 2.1.2); then after_reset(). EIO for a device that never does.
    Result<void> reset();
    // Reset, ACKNOWLEDGE, DRIVER, negotiate: the device must offer every bit of required
    // (VERSION_1 is always required) and gets the offered part of wanted too; then FEATURES_OK,
    // checked. Returns the accepted features. ENODEV when the device lacks a required feature or
    // refuses the set; the device is marked FAILED on any error.
    Result<u64> begin_initialization(u64 wanted, u64 required);
    // DRIVER_OK, after the queues are set up.
    Result<void> finish_initialization();
    // Sets FAILED (best effort): the device must not be used any more.
    void fail();
    // Stops the device before its driver's memory goes: reset (the device then uses no queue or
    // buffer; best effort, bounded, on one that does not answer) and the interrupt handler
    // detached (waiting for one running on another CPU). A driver's destructor calls it first.
    void shutdown();
    void quiesce() override { (void)reset(); }

    // A queue of at most limit entries, allocated, registered with the device and enabled. EIO
    // (and FAILED) for a device maximum of 0 or an impossible one.
    Result<Box<Virtqueue>> setup_queue(u16 index, u16 limit = Virtqueue::max_size);

    // Device configuration fields, read with the generation-count retry (2.4.1) and in the
    // widths the spec asks for (4.1.3.1, 4.2.2.2): EINVAL beyond config_size(), EIO when the
    // generation never settles.
    Result<u8> config_u8(usize offset);
    Result<u16> config_u16(usize offset);
    Result<u32> config_u32(usize offset);
    Result<u64> config_u64(usize offset);

protected:
    Transport() = default;
};

// The transports. ENODEV for what is not a usable virtio device (an empty virtio-mmio slot, a
// legacy-only device: logged); EIO for a device whose registers or capabilities are malformed.
Result<Box<Transport>> probe_mmio(PlatformDevice device);
Result<Box<Transport>> probe_pci(PciDevice device);

} // namespace keel::drivers::virtio
