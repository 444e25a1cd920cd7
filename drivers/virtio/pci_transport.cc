// virtio over PCI, modern interface (virtio 1.2, 4.1): vendor-specific capabilities (id 0x09)
// point at the common configuration, notification, ISR and device configuration structures in
// the function's memory BARs. Interrupts are MSI-X vectors (0: configuration changes, 1: the
// queues; one vector serves both when only one is given) or, without MSI-X, the INTx line with
// the ISR register read to acknowledge. Transitional devices are driven through their modern
// interface; legacy-only ones (no capabilities) are not bound.
#include <keel/ktl/format.h>
#include <keel/log.h>

#include "drivers/virtio/registers.h"
#include "drivers/virtio/transport.h"

namespace keel::drivers::virtio {

namespace {

constexpr u8 vendor_capability = 0x09;

// virtio_pci_cap fields (4.1.4).
constexpr u16 cap_length_at = 2;
constexpr u16 cap_type_at = 3;
constexpr u16 cap_bar_at = 4;
constexpr u16 cap_offset_at = 8;
constexpr u16 cap_region_length_at = 12;
constexpr u16 cap_notify_multiplier_at = 16;
constexpr u8 cap_min_length = 16;
constexpr u8 notify_cap_min_length = 20;

enum CapType : u8 { common_type = 1, notify_type = 2, isr_type = 3, device_type = 4 };

// virtio_pci_common_cfg (4.1.4.3).
namespace common {
constexpr usize device_feature_select = 0x00;
constexpr usize device_feature = 0x04;
constexpr usize driver_feature_select = 0x08;
constexpr usize driver_feature = 0x0c;
constexpr usize msix_config = 0x10;
constexpr usize num_queues = 0x12;
constexpr usize device_status = 0x14;
constexpr usize config_generation = 0x15;
constexpr usize queue_select = 0x16;
constexpr usize queue_size = 0x18;
constexpr usize queue_msix_vector = 0x1a;
constexpr usize queue_enable = 0x1c;
constexpr usize queue_notify_off = 0x1e;
constexpr usize queue_desc = 0x20;
constexpr usize queue_driver = 0x28;
constexpr usize queue_device = 0x30;
constexpr usize size = 0x38;
} // namespace common

constexpr u16 no_vector = 0xffff; // VIRTIO_MSI_NO_VECTOR

struct Region {
    u8 bar = 0;
    u32 offset = 0;
    u32 length = 0;
    u16 cap = 0;
};

struct Regions {
    Optional<Region> common;
    Optional<Region> notify;
    Optional<Region> isr;
    Optional<Region> device;
    u32 notify_multiplier = 0;
};

class PciTransport final : public Transport {
public:
    struct Parts {
        PciDevice device;
        u32 id;
        IoMem common;
        IoMem notify;
        IoMem isr;
        Optional<IoMem> device_config;
        u32 notify_multiplier;
        Vector<IrqLine> lines;
    };

    explicit PciTransport(Parts parts)
        : device_(move(parts.device)), id_(parts.id), common_(move(parts.common)),
          notify_(move(parts.notify)), isr_(move(parts.isr)),
          device_config_(move(parts.device_config)), multiplier_(parts.notify_multiplier),
          lines_(move(parts.lines)), msix_(device_.irq_kind() == PciIrqKind::msix) {
        PciAddress a = device_.address();
        format(description_, "pci {:04x}:{:02x}:{:02x}.{}", a.segment, a.bus, a.device, a.function);
        if (msix_) {
            format(description_, " (MSI-X {} vector{})", lines_.size(),
                   lines_.size() == 1 ? StringView("") : StringView("s"));
        } else if (!lines_.empty()) {
            format(description_, " ({} irq {})",
                   device_.irq_kind() == PciIrqKind::msi ? StringView("MSI") : StringView("INTx"),
                   lines_[0].number());
        }
    }

    // Configuration changes go to MSI-X vector 0. None of the drivers needs them, so a device
    // that refuses the vector (VIRTIO_MSI_NO_VECTOR on read-back: it could not map it) is only
    // logged; the queues' vectors are what matters.
    Result<void> set_config_vector() {
        if (!msix_) {
            return {};
        }
        TRY(common_.write16(common::msix_config, 0));
        if (TRY(common_.read16(common::msix_config)) == no_vector) {
            log::warn("virtio-pci: {} refused MSI-X vector 0 for configuration changes",
                      description());
        }
        return {};
    }

    u32 device_id() const override { return id_; }
    StringView description() const override { return description_.view(); }
    DmaSpace dma_space() const override { return device_.dma_space(); }

    Result<void> after_reset() override { return set_config_vector(); }
    Result<u8> read_status() override { return common_.read8(common::device_status); }
    Result<void> write_status(u8 status) override {
        return common_.write8(common::device_status, status);
    }

    Result<u64> read_device_features() override {
        return registers::read_features(common_, common::device_feature_select,
                                        common::device_feature);
    }
    Result<void> write_driver_features(u64 features) override {
        return registers::write_features(common_, common::driver_feature_select,
                                         common::driver_feature, features);
    }

    Result<u32> config_generation() override {
        return u32{TRY(common_.read8(common::config_generation))};
    }
    usize config_size() const override { return device_config_ ? device_config_->size() : 0; }
    Result<u32> config_read(usize offset, usize width) override {
        if (!device_config_) {
            return Errno::einval; // no configuration: nothing is inside it
        }
        return registers::read_config(*device_config_, 0, config_size(), offset, width);
    }
    Result<void> config_write(usize offset, usize width, u32 value) override {
        if (!device_config_) {
            return Errno::einval;
        }
        return registers::write_config(*device_config_, 0, config_size(), offset, width, value);
    }

    Result<u32> queue_max_size(u16 index) override {
        if (index >= TRY(common_.read16(common::num_queues))) {
            return u32{0};
        }
        TRY(common_.write16(common::queue_select, index));
        if (TRY(common_.read16(common::queue_enable)) != 0) {
            return Errno::eio; // enabled before the driver set it up: not after a reset
        }
        return u32{TRY(common_.read16(common::queue_size))};
    }

    Result<void> enable_queue(const Virtqueue& q) override {
        TRY(common_.write16(common::queue_select, q.index()));
        TRY(common_.write16(common::queue_size, q.size()));
        // 64-bit fields may be written as two 32-bit halves (4.1.3.1).
        TRY(registers::write_halves(common_, common::queue_desc, common::queue_desc + 4,
                                    q.descriptor_area()));
        TRY(registers::write_halves(common_, common::queue_driver, common::queue_driver + 4,
                                    q.driver_area()));
        TRY(registers::write_halves(common_, common::queue_device, common::queue_device + 4,
                                    q.device_area()));
        if (msix_) {
            // Vector 1 when there are two, else (or when the device refuses 1) vector 0, shared
            // with configuration changes. Without a vector the queue would never interrupt.
            u16 vector = lines_.size() > 1 ? 1 : 0;
            TRY(common_.write16(common::queue_msix_vector, vector));
            if (TRY(common_.read16(common::queue_msix_vector)) == no_vector && vector != 0) {
                vector = 0;
                TRY(common_.write16(common::queue_msix_vector, vector));
            }
            if (TRY(common_.read16(common::queue_msix_vector)) == no_vector) {
                log::warn("virtio-pci: {} refused every MSI-X vector for queue {}", description(),
                          q.index());
                return Errno::eio;
            }
        }
        // Where this queue's notifications go: checked against the notification region.
        u64 at = u64{TRY(common_.read16(common::queue_notify_off))} * multiplier_;
        // A 16-bit register: in the region and aligned, or every notification would be lost.
        if (at % 2 != 0 || at + 2 > notify_.size()) {
            log::warn("virtio-pci: {} queue {} notifies outside its region", description(),
                      q.index());
            return Errno::eio;
        }
        while (notify_offsets_.size() <= q.index()) {
            TRY(notify_offsets_.push_back(no_offset));
        }
        notify_offsets_[q.index()] = static_cast<u32>(at);
        return common_.write16(common::queue_enable, 1);
    }

    void notify(u16 queue_index) override {
        if (queue_index < notify_offsets_.size() && notify_offsets_[queue_index] != no_offset) {
            (void)notify_.write16(notify_offsets_[queue_index], queue_index);
        }
    }

    Result<u32> acknowledge_interrupt() override {
        if (msix_) {
            return interrupt_queue; // a vector of its own: nothing to acknowledge
        }
        u8 isr = TRY(isr_.read8(0)); // the read clears it, and deasserts INTx
        u32 cause = 0;
        cause |= (isr & 1) != 0 ? interrupt_queue : 0;
        cause |= (isr & 2) != 0 ? interrupt_config : 0;
        return cause;
    }

    Result<void> attach_interrupt(IrqHandler& handler) override {
        if (lines_.empty()) {
            return Errno::enodev;
        }
        for (IrqLine& line : lines_) {
            line.attach(handler);
            line.enable();
        }
        return {};
    }

    void detach_interrupt() override {
        for (IrqLine& line : lines_) {
            line.detach();
        }
    }

    u64 interrupt_count() const override {
        u64 total = 0;
        for (const IrqLine& line : lines_) {
            total += line.count();
        }
        return total;
    }

private:
    static constexpr u32 no_offset = ~u32{0};

    // Declared first: the PciDevice outlives the IrqLines and windows it handed out.
    PciDevice device_;
    u32 id_;
    IoMem common_;
    IoMem notify_;
    IoMem isr_;
    Optional<IoMem> device_config_;
    u32 multiplier_;
    Vector<IrqLine> lines_;
    bool msix_;
    Vector<u32> notify_offsets_;
    FixedString<64> description_;
};

// The first usable capability of each type (4.1.4: a driver uses the first it understands).
Result<Regions> find_regions(const PciDevice& device) {
    Regions r;
    for (u16 cap : device.capabilities(vendor_capability)) {
        u8 length = TRY(device.config_read8(static_cast<u16>(cap + cap_length_at)));
        u8 type = TRY(device.config_read8(static_cast<u16>(cap + cap_type_at)));
        if (length < cap_min_length) {
            continue;
        }
        Region region;
        region.cap = cap;
        region.bar = TRY(device.config_read8(static_cast<u16>(cap + cap_bar_at)));
        region.offset = TRY(device.config_read32(static_cast<u16>(cap + cap_offset_at)));
        region.length = TRY(device.config_read32(static_cast<u16>(cap + cap_region_length_at)));
        PciBar bar = device.bar(region.bar);
        bool usable = region.bar < 6 && region.length > 0 &&
                      (bar.kind == PciBarKind::memory32 || bar.kind == PciBarKind::memory64) &&
                      bar.assigned && region.offset <= bar.size &&
                      region.length <= bar.size - region.offset;
        if (!usable) {
            log::debug("virtio-pci: capability {:#x} (type {}) outside a usable BAR", cap, type);
            continue;
        }
        if (type == common_type && !r.common && region.length >= common::size) {
            r.common = region;
        } else if (type == notify_type && !r.notify && region.length >= 2 &&
                   length >= notify_cap_min_length) {
            r.notify_multiplier =
                TRY(device.config_read32(static_cast<u16>(cap + cap_notify_multiplier_at)));
            r.notify = region;
        } else if (type == isr_type && !r.isr) {
            r.isr = region;
        } else if (type == device_type && !r.device) {
            r.device = region;
        }
    }
    return r;
}

Result<IoMem> map(const PciDevice& device, const Region& r) {
    return device.map_bar(r.bar, r.offset, r.length);
}

} // namespace

Result<Box<Transport>> probe_pci(PciDevice device) {
    const PciIdentity& identity = device.identity();
    u32 id = 0;
    if (identity.device >= 0x1040 && identity.device <= 0x107f) {
        id = identity.device - 0x1040u;
    } else if (identity.device >= 0x1000 && identity.device <= 0x103f) {
        id = identity.subsystem; // transitional: the subsystem id is the virtio id (4.1.2.1)
    } else {
        return Errno::enodev;
    }
    PciAddress a = device.address();
    Regions regions = TRY(find_regions(device));
    if (!regions.common || !regions.notify || !regions.isr) {
        log::info("virtio-pci: {:04x}:{:02x}:{:02x}.{} (device {:#x}) has no modern interface; "
                  "legacy devices are not driven",
                  a.segment, a.bus, a.device, a.function, identity.device);
        return Errno::enodev;
    }
    IoMem common = TRY(map(device, *regions.common));
    IoMem notify = TRY(map(device, *regions.notify));
    IoMem isr = TRY(map(device, *regions.isr));
    Optional<IoMem> device_config;
    if (regions.device) {
        device_config = Optional<IoMem>(TRY(map(device, *regions.device)));
    }
    Result<Vector<IrqLine>> lines = device.allocate_irqs(2);
    if (lines.is_error()) {
        log::warn("virtio-pci: {:04x}:{:02x}:{:02x}.{} has no interrupt: {}", a.segment, a.bus,
                  a.device, a.function, lines.error());
        return lines.error();
    }
    device.enable_bus_mastering();
    PciTransport::Parts parts{move(device),
                              id,
                              move(common),
                              move(notify),
                              move(isr),
                              move(device_config),
                              regions.notify_multiplier,
                              lines.release_value()};
    Box<PciTransport> t = TRY(make_box<PciTransport>(move(parts)));
    return Box<Transport>(move(t));
}

} // namespace keel::drivers::virtio
