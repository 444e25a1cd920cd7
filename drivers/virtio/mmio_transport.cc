// virtio over MMIO, version 2 (virtio 1.2, 4.2.2): one register window per device, config at
// 0x100, one interrupt with a status register to acknowledge. Version 1 (legacy) devices are
// not driven: their queue layout and page-based addressing are a different protocol.
#include <keel/ktl/format.h>
#include <keel/log.h>

#include "drivers/virtio/registers.h"
#include "drivers/virtio/transport.h"

namespace keel::drivers::virtio {

namespace {

namespace reg {
constexpr usize magic = 0x000;
constexpr usize version = 0x004;
constexpr usize device_id = 0x008;
constexpr usize device_features = 0x010;
constexpr usize device_features_sel = 0x014;
constexpr usize driver_features = 0x020;
constexpr usize driver_features_sel = 0x024;
constexpr usize queue_sel = 0x030;
constexpr usize queue_num_max = 0x034;
constexpr usize queue_num = 0x038;
constexpr usize queue_ready = 0x044;
constexpr usize queue_notify = 0x050;
constexpr usize interrupt_status = 0x060;
constexpr usize interrupt_ack = 0x064;
constexpr usize status = 0x070;
constexpr usize queue_desc_low = 0x080;
constexpr usize queue_desc_high = 0x084;
constexpr usize queue_driver_low = 0x090;
constexpr usize queue_driver_high = 0x094;
constexpr usize queue_device_low = 0x0a0;
constexpr usize queue_device_high = 0x0a4;
constexpr usize config_generation = 0x0fc;
constexpr usize config = 0x100;
} // namespace reg

constexpr u32 magic_value = 0x74726976; // "virt"

class MmioTransport final : public Transport {
public:
    MmioTransport(PlatformDevice device, IoMem regs, Optional<IrqLine> irq, u32 id)
        : device_(move(device)), regs_(move(regs)), irq_(move(irq)), device_id_(id) {
        format(description_, "{}", device_.info().name);
        if (irq_) {
            format(description_, " irq {}", irq_->number());
        }
    }

    u32 device_id() const override { return device_id_; }
    StringView description() const override { return description_.view(); }
    DmaSpace dma_space() const override { return device_.dma_space(); }

    Result<u8> read_status() override {
        return static_cast<u8>(TRY(regs_.read32(reg::status)) & 0xff);
    }
    Result<void> write_status(u8 status) override { return regs_.write32(reg::status, status); }

    Result<u64> read_device_features() override {
        return registers::read_features(regs_, reg::device_features_sel, reg::device_features);
    }
    Result<void> write_driver_features(u64 features) override {
        return registers::write_features(regs_, reg::driver_features_sel, reg::driver_features,
                                         features);
    }

    Result<u32> config_generation() override { return regs_.read32(reg::config_generation); }
    usize config_size() const override { return regs_.size() - reg::config; }
    Result<u32> config_read(usize offset, usize width) override {
        return registers::read_config(regs_, reg::config, config_size(), offset, width);
    }
    Result<void> config_write(usize offset, usize width, u32 value) override {
        return registers::write_config(regs_, reg::config, config_size(), offset, width, value);
    }

    Result<u32> queue_max_size(u16 index) override {
        TRY(regs_.write32(reg::queue_sel, index));
        if (TRY(regs_.read32(reg::queue_ready)) != 0) {
            return Errno::eio; // in use before the driver set it up: not after a reset
        }
        return regs_.read32(reg::queue_num_max);
    }
    Result<void> enable_queue(const Virtqueue& q) override {
        TRY(regs_.write32(reg::queue_sel, q.index()));
        TRY(regs_.write32(reg::queue_num, q.size()));
        TRY(registers::write_halves(regs_, reg::queue_desc_low, reg::queue_desc_high,
                                    q.descriptor_area()));
        TRY(registers::write_halves(regs_, reg::queue_driver_low, reg::queue_driver_high,
                                    q.driver_area()));
        TRY(registers::write_halves(regs_, reg::queue_device_low, reg::queue_device_high,
                                    q.device_area()));
        return regs_.write32(reg::queue_ready, 1);
    }
    void notify(u16 queue_index) override { (void)regs_.write32(reg::queue_notify, queue_index); }

    Result<u32> acknowledge_interrupt() override {
        u32 status = TRY(regs_.read32(reg::interrupt_status)) & 3;
        if (status != 0) {
            TRY(regs_.write32(reg::interrupt_ack, status));
        }
        u32 cause = 0;
        cause |= (status & 1) != 0 ? interrupt_queue : 0;
        cause |= (status & 2) != 0 ? interrupt_config : 0;
        return cause;
    }
    Result<void> attach_interrupt(IrqHandler& handler) override {
        if (!irq_) {
            return Errno::enodev;
        }
        irq_->attach(handler);
        irq_->enable();
        return {};
    }
    void detach_interrupt() override {
        if (irq_) {
            irq_->detach();
        }
    }
    u64 interrupt_count() const override { return irq_ ? irq_->count() : 0; }

private:
    PlatformDevice device_;
    IoMem regs_;
    Optional<IrqLine> irq_;
    u32 device_id_;
    FixedString<64> description_;
};

} // namespace

Result<Box<Transport>> probe_mmio(PlatformDevice device) {
    IoMem regs = TRY(device.map_reg(0));
    StringView name = device.info().name;
    if (regs.size() < reg::config) {
        log::warn("virtio-mmio: {} window of {:#x} bytes is too small", name, regs.size());
        return Errno::eio;
    }
    u32 magic = TRY(regs.read32(reg::magic));
    if (magic != magic_value) {
        log::warn("virtio-mmio: {} has magic {:#x}, not a virtio device", name, magic);
        return Errno::enodev;
    }
    // DeviceID is at the same place in both versions: an empty slot is skipped without a word.
    u32 id = TRY(regs.read32(reg::device_id));
    if (id == 0) {
        return Errno::enodev; // an empty slot (4.2.3.1.1)
    }
    u32 version = TRY(regs.read32(reg::version));
    if (version != 2) {
        log::info("virtio-mmio: {} (device id {}) is version {} ({}), not bound: only version 2 "
                  "is driven",
                  name, id, version, version == 1 ? StringView("legacy") : StringView("unknown"));
        return Errno::enodev;
    }
    Optional<IrqLine> irq;
    if (device.info().irq_count > 0) {
        Result<IrqLine> line = device.irq(0);
        if (line.is_error()) {
            log::warn("virtio-mmio: {} interrupt: {}", name, line.error());
            return line.error();
        }
        irq = Optional<IrqLine>(line.release_value());
    }
    Box<MmioTransport> t = TRY(make_box<MmioTransport>(move(device), move(regs), move(irq), id));
    return Box<Transport>(move(t));
}

} // namespace keel::drivers::virtio
