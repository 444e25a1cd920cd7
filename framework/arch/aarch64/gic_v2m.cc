// GICv2m (Arm Server Base System Architecture, appendix: GICv2m): a frame beside a GICv2 that
// turns a PCI MSI write into an SPI. The device writes the SPI's INTID to MSI_SETSPI_NS; the
// frame's MSI_TYPER says which SPIs are its own. Those SPIs are edge-triggered and otherwise
// ordinary GIC lines, masked and unmasked in the distributor.
#include <keel/log.h>

#include "arch/aarch64/gic.h"
#include "boot/live_device_tree.h"
#include "io_mem_internal.h"

namespace keel::arch {

namespace {
constexpr usize v2m_msi_typer = 0x008;
constexpr usize v2m_msi_setspi_ns = 0x040;
constexpr usize v2m_frame_size = 0x1000;
} // namespace

Result<void> Gic::init_v2m(const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
    Optional<boot::DeviceTree::Node> frame =
        boot::find_msi_controller_child(dt, node, "arm,gic-v2m-frame");
    if (!frame) {
        return {}; // a plain GICv2: MSIs are refused with EOPNOTSUPP
    }
    Optional<PhysRange> reg = boot::first_reg(dt, *frame);
    if (!reg || reg->size < v2m_frame_size) {
        return Errno::einval;
    }
    v2m_ = TRY(IoMemAccess::acquire_claimed(reg->base, v2m_frame_size));
    u32 typer = v2m_->read32(v2m_msi_typer).value_or(0);
    // The binding lets the tree override what the frame reports (broken frames exist).
    u32 first = static_cast<u32>(
        dt.integer_property(*frame, "arm,msi-base-spi").value_or((typer >> 16) & 0x3ff));
    u32 count =
        static_cast<u32>(dt.integer_property(*frame, "arm,msi-num-spis").value_or(typer & 0x3ff));
    if (first < first_spi || count == 0 || first >= lines_ || count > lines_ - first) {
        v2m_ = none;
        return Errno::einval;
    }
    msi_first_ = first;
    msi_count_ = count;
    log::info("interrupts: GICv2m frame at {:#x}, MSIs on SPIs {}-{}", reg->base, first,
              first + count - 1);
    return {};
}

// A v2m frame tells no senders apart: device_id does not matter to it.
Result<u32> Gic::allocate_msi(u32 device_id) {
    if (its_.ready()) {
        return its_.allocate(device_id);
    }
    if (!v2m_) {
        return Errno::eopnotsupp;
    }
    SpinLockGuard guard(config_lock_);
    for (u32 line = msi_first_; line < msi_first_ + msi_count_; ++line) {
        u32 bit = 1u << (line % 32);
        if ((msi_used_[line / 32] & bit) == 0) {
            msi_used_[line / 32] |= bit;
            edge_[line / 32] |= bit; // applied when the line is enabled
            return line;
        }
    }
    return Errno::enospc;
}

void Gic::free_msi(u32 line) {
    if (its_.owns(line)) {
        its_.free(line);
        return;
    }
    if (!v2m_ || line < msi_first_ || line >= msi_first_ + msi_count_) {
        return;
    }
    SpinLockGuard guard(config_lock_);
    msi_used_[line / 32] &= ~(1u << (line % 32));
}

irq::MsiMessage Gic::msi_message(u32 line) const {
    if (its_.owns(line)) {
        return its_.message(line);
    }
    if (!v2m_) {
        return {};
    }
    return {v2m_->phys() + v2m_msi_setspi_ns, line};
}

Result<void> Gic::write_msi(const irq::MsiMessage& message) const {
    if (its_.ready()) {
        return its_.write(message);
    }
    if (!v2m_ || message.address != v2m_->phys() + v2m_msi_setspi_ns) {
        return Errno::einval;
    }
    return v2m_->write32(v2m_msi_setspi_ns, message.data);
}

} // namespace keel::arch
