// The I/O APICs and the irq::Controller over them: the controller's line number is the ACPI GSI,
// delivered at vector 0x20 + GSI to the boot CPU. A line is masked and unmasked at its I/O APIC
// pin; the EOI goes to the local APIC (interrupts.cc), which forwards it to the I/O APIC for
// level-triggered lines. Lines above the GSIs are message-signalled (PCI MSI/MSI-X): a device
// writes the vector to the local APIC's address window, so they need no pin and are masked at
// the device (irq::LineMask).
#include <keel/ktl/array.h>
#include <keel/spin_lock.h>

#include "apic.h"
#include "io_mem_internal.h"
#include "irq/controller.h"

namespace keel::x86 {

namespace {
// The indirect registers (82093AA datasheet, 3.2): IOREGSEL picks one, IOWIN reads or writes it.
constexpr usize reg_select = 0x00;
constexpr usize reg_window = 0x10;
constexpr u32 index_version = 0x01;
constexpr u32 index_redirection = 0x10; // two 32-bit halves per pin
constexpr u32 claim_size = 0x1000;      // the block each I/O APIC decodes on PC chipsets

// Redirection entry fields (82093AA, 3.2.4): fixed delivery, physical destination.
constexpr u64 entry_active_low = u64{1} << 13;
constexpr u64 entry_level = u64{1} << 15;
constexpr u32 entry_destination_shift = 56;

constexpr usize max_io_apics = 8;
constexpr u32 isa_irqs = 16;

class ApicController final : public irq::Controller {
public:
    StringView name() const override { return "LAPIC+IOAPIC"; }
    Result<u32> translate(const IrqSource& source) override;
    u32 line_count() const override { return max_lines; }
    void enable(u32 line) override { set_masked(line, false); }
    void disable(u32 line) override { set_masked(line, true); }
    Result<u32> allocate_msi(u32 device_id) override;
    void free_msi(u32 line) override;
    irq::MsiMessage msi_message(u32 line) const override;

    Result<void> init(const Madt& madt, u32 destination);
    IoApic* io_apic_for(u32 gsi);
    u32 gsi_count() const { return line_count_; }

private:
    void set_masked(u32 line, bool masked) {
        if (IoApic* io = io_apic_for(line)) {
            io->set_masked(line - io->gsi_base(), masked);
        }
    }
    u64 mode_bits(u32 gsi) const;

    Array<IoApic, max_io_apics> io_apics_{};
    usize io_apic_count_ = 0;
    FixedVector<Madt::Override, 16> overrides_;
    u32 line_count_ = 0; // GSIs; MSI lines are [line_count_, max_lines)
    u32 destination_ = 0;
    SpinLock msi_lock_;
    Array<bool, max_lines> msi_used_{};
};

constinit ApicController the_controller;

// Trigger and polarity: the bus's convention unless an override says otherwise. ISA lines are
// edge-triggered and active high; the GSIs above them belong to PCI, level and active low.
u64 ApicController::mode_bits(u32 gsi) const {
    bool isa = gsi < isa_irqs;
    bool level = !isa;
    bool low = !isa;
    for (const Madt::Override& o : overrides_) {
        if (o.gsi != gsi) {
            continue;
        }
        // An override names an ISA source: "conforms" means the ISA convention.
        u16 polarity = o.flags & InterruptMode::polarity_mask;
        u16 trigger = o.flags & InterruptMode::trigger_mask;
        low = polarity == InterruptMode::polarity_low;
        level = trigger == InterruptMode::trigger_level;
    }
    return (level ? entry_level : 0) | (low ? entry_active_low : 0);
}

Result<void> ApicController::init(const Madt& madt, u32 destination) {
    if (madt.io_apics.empty()) {
        return Errno::enodev;
    }
    overrides_ = madt.overrides;
    destination_ = destination;
    for (const Madt::IoApic& facts : madt.io_apics) {
        if (io_apic_count_ == max_io_apics) {
            break;
        }
        IoApic& io = io_apics_[io_apic_count_];
        TRY(io.init(facts));
        ++io_apic_count_;
        u32 end = min(io.gsi_base() + io.pins(), max_lines);
        line_count_ = max(line_count_, end);
        for (u32 gsi = io.gsi_base(); gsi < end; ++gsi) {
            u64 entry = IoApic::entry_masked | (vector_first_line + gsi) | mode_bits(gsi) |
                        (u64{destination} << entry_destination_shift);
            io.set_entry(gsi - io.gsi_base(), entry);
        }
    }
    // Claimed only now: I/O APICs sharing a page must all be mapped first.
    for (usize i = 0; i < io_apic_count_; ++i) {
        TRY(claim_device_range(align_down(io_apics_[i].phys(), claim_size), claim_size));
    }
    return {};
}

Result<u32> ApicController::translate(const IrqSource& source) {
    u32 gsi = source.number;
    switch (source.kind) {
    case IrqSource::Kind::device_tree:
        return Errno::einval;
    case IrqSource::Kind::gsi:
        break;
    case IrqSource::Kind::isa: {
        if (source.number >= isa_irqs) {
            return Errno::einval;
        }
        bool overridden = false;
        bool pin_taken = false;
        for (const Madt::Override& o : overrides_) {
            if (o.isa_irq == source.number) {
                gsi = o.gsi;
                overridden = true;
            } else if (o.gsi == source.number) {
                pin_taken = true;
            }
        }
        // Identity mapped unless another ISA IRQ was moved onto that pin (IRQ 0 onto GSI 2
        // on PCs: ISA IRQ 2 is the 8259 cascade and has no line of its own).
        if (!overridden && pin_taken) {
            return Errno::einval;
        }
        break;
    }
    }
    if (gsi >= line_count_ || io_apic_for(gsi) == nullptr) {
        return Errno::einval;
    }
    return gsi;
}

// The local APIC tells no senders apart: device_id does not matter.
Result<u32> ApicController::allocate_msi(u32 /*device_id*/) {
    SpinLockGuard guard(msi_lock_);
    for (u32 line = line_count_; line < max_lines; ++line) {
        if (!msi_used_[line]) {
            msi_used_[line] = true;
            return line;
        }
    }
    return Errno::enospc;
}

void ApicController::free_msi(u32 line) {
    SpinLockGuard guard(msi_lock_);
    if (line >= line_count_ && line < max_lines) {
        msi_used_[line] = false;
    }
}

// Intel SDM vol. 3, 11.11: address 0xFEE00000 with the destination APIC id in bits 19:12
// (physical mode, no redirection hint); data: the vector, fixed delivery, edge-triggered.
irq::MsiMessage ApicController::msi_message(u32 line) const {
    constexpr u64 msi_address_base = 0xfee00000;
    return {msi_address_base | (u64{destination_ & 0xff} << 12), vector_first_line + line};
}

IoApic* ApicController::io_apic_for(u32 gsi) {
    for (usize i = 0; i < io_apic_count_; ++i) {
        if (io_apics_[i].handles(gsi)) {
            return &io_apics_[i];
        }
    }
    return nullptr;
}
} // namespace

Result<void> IoApic::init(const Madt::IoApic& facts) {
    regs_ = TRY(IoMem::acquire(facts.phys, window_size));
    gsi_base_ = facts.gsi_base;
    pins_ = ((read(index_version) >> 16) & 0xff) + 1;
    for (u32 pin = 0; pin < pins_; ++pin) {
        set_masked(pin, true);
    }
    return {};
}

u32 IoApic::read(u32 index) {
    (void)regs_->write32(reg_select, index);
    return regs_->read32(reg_window).value_or(0);
}

void IoApic::write(u32 index, u32 value) {
    (void)regs_->write32(reg_select, index);
    (void)regs_->write32(reg_window, value);
}

u64 IoApic::entry(u32 pin) {
    SpinLockGuard guard(lock_);
    u32 low = read(index_redirection + 2 * pin);
    return (u64{read(index_redirection + 2 * pin + 1)} << 32) | low;
}

void IoApic::set_entry(u32 pin, u64 entry) {
    SpinLockGuard guard(lock_);
    // Masked while half written, so the pin never fires with a torn entry.
    write(index_redirection + 2 * pin, static_cast<u32>(entry) | static_cast<u32>(entry_masked));
    write(index_redirection + 2 * pin + 1, static_cast<u32>(entry >> 32));
    write(index_redirection + 2 * pin, static_cast<u32>(entry));
}

void IoApic::set_masked(u32 pin, bool masked) {
    SpinLockGuard guard(lock_);
    u32 low = read(index_redirection + 2 * pin);
    u32 bit = static_cast<u32>(entry_masked);
    write(index_redirection + 2 * pin, masked ? low | bit : low & ~bit);
}

Result<void> init_io_apics(const Madt& madt, u32 destination) {
    TRY(the_controller.init(madt, destination));
    irq::register_controller(the_controller);
    return {};
}

IoApic* io_apic_for(u32 gsi) { return the_controller.io_apic_for(gsi); }
u32 gsi_count() { return the_controller.gsi_count(); }

} // namespace keel::x86
