// The x86 interrupt hardware Keel drives: the local APIC (xAPIC, memory-mapped: QEMU's TCG has
// no x2APIC) with its one-shot timer, and the I/O APICs that turn device lines (ACPI GSIs) into
// vectors. Both are found in the ACPI MADT (madt.h), never at fixed addresses.
//
// The IDT's vectors:
//   0x00-0x1f  exceptions (traps.cc)
//   0x20-0xdf  line n arrives at 0x20 + n: the GSIs first (line = GSI), then MSI lines
//   0xe0-0xef  the legacy 8259s, remapped here and masked; nothing should arrive
//   0xf0       the local APIC timer
//   0xf1       inter-processor interrupts (smp.cc): cross-CPU calls and wake-ups
//   0xfe       local APIC errors
//   0xff       the local APIC's spurious vector (no EOI)
// The vector's upper nibble is its priority class: the timer outranks every device line.
#pragma once

#include <keel/io_mem.h>
#include <keel/ktl/optional.h>

#include "madt.h"
#include <keel/spin_lock.h>

namespace keel::x86 {

inline constexpr u8 vector_first_line = 0x20;
inline constexpr u32 max_lines = 0xc0;
inline constexpr u8 vector_legacy_pic = 0xe0;
inline constexpr u8 vector_timer = 0xf0;
inline constexpr u8 vector_ipi = 0xf1;
inline constexpr u8 vector_apic_error = 0xfe;
inline constexpr u8 vector_spurious = 0xff;

class LocalApic {
public:
    // Register offsets (Intel SDM vol. 3, table 11-1).
    static constexpr usize reg_id = 0x20;
    static constexpr usize reg_version = 0x30;
    static constexpr usize reg_task_priority = 0x80;
    static constexpr usize reg_eoi = 0xb0;
    static constexpr usize reg_spurious = 0xf0;
    static constexpr usize reg_error_status = 0x280;
    static constexpr usize reg_icr_low = 0x300;
    static constexpr usize reg_icr_high = 0x310;
    static constexpr usize reg_lvt_timer = 0x320;
    static constexpr usize reg_lvt_thermal = 0x330;
    static constexpr usize reg_lvt_performance = 0x340;
    static constexpr usize reg_lvt_lint0 = 0x350;
    static constexpr usize reg_lvt_lint1 = 0x360;
    static constexpr usize reg_lvt_error = 0x370;
    static constexpr usize reg_timer_initial = 0x380;
    static constexpr usize reg_timer_current = 0x390;
    static constexpr usize reg_timer_divide = 0x3e0;
    static constexpr usize window_size = 0x1000;

    static constexpr u32 lvt_masked = 1 << 16;
    static constexpr u32 lvt_delivery_nmi = 0x4 << 8;
    static constexpr u32 lvt_level_triggered = 1 << 15;
    static constexpr u32 lvt_active_low = 1 << 13;

    constexpr LocalApic() = default;

    // Maps the registers at the MADT's address, keeps them from IoMem::acquire, then sets up
    // the boot CPU's APIC as init_this_cpu does. ENODEV when the firmware left the CPU in x2APIC
    // mode.
    Result<void> init(const Madt& madt);
    // Enables this CPU's APIC (IA32_APIC_BASE and the spurious vector register) with every
    // local source masked except the MADT's NMI pin; on a secondary CPU after init.
    Result<void> init_this_cpu(const Madt& madt) const;
    bool ready() const { return regs_.has_value(); }

    u64 phys() const { return regs_->phys(); }
    u32 id() const { return read(reg_id) >> 24; }
    void end_of_interrupt() const { write(reg_eoi, 0); }
    // Clears and returns the error status (written first: it latches on write).
    u32 take_errors() const;

    u32 read(usize reg) const { return regs_->read32(reg).value_or(0); }
    void write(usize reg, u32 value) const { (void)regs_->write32(reg, value); }

private:
    Optional<IoMem> regs_;
};

// The local APIC. In xAPIC mode every CPU sees its own at the same address, so one window
// serves them all.
LocalApic& local_apic();

// The one-shot local APIC timer (lapic_timer.cc), calibrated against the TSC clock on the boot
// CPU; start_lapic_timer sets up a secondary CPU's with the same rate.
void init_lapic_timer();
void start_lapic_timer();
u64 lapic_timer_hz();
// The remaining count of the one-shot, in timer ticks (0: not running).
u32 lapic_timer_remaining();
// Timer interrupts taken so far on all CPUs and on one, and interrupts on the spurious vectors
// (the APIC's, the masked 8259s'), which are neither handled nor ended (interrupts.cc counts
// them).
u64 timer_interrupt_count();
u64 timer_interrupt_count_on(u32 cpu);
u64 spurious_interrupt_count();

class IoApic {
public:
    static constexpr usize window_size = 0x20; // IOREGSEL at 0, IOWIN at 0x10
    static constexpr u64 entry_masked = u64{1} << 16;

    constexpr IoApic() = default;
    IoApic(const IoApic&) = delete;
    IoApic& operator=(const IoApic&) = delete;

    // Maps and claims its registers, reads the number of pins, masks every pin.
    Result<void> init(const Madt::IoApic& facts);

    u64 phys() const { return regs_->phys(); }
    u32 gsi_base() const { return gsi_base_; }
    u32 pins() const { return pins_; }
    bool handles(u32 gsi) const { return gsi >= gsi_base_ && gsi - gsi_base_ < pins_; }

    u64 entry(u32 pin);
    void set_entry(u32 pin, u64 entry);
    void set_masked(u32 pin, bool masked);

private:
    u32 read(u32 index);
    void write(u32 index, u32 value);

    SpinLock lock_; // the select register then the window: one pair at a time
    Optional<IoMem> regs_;
    u32 gsi_base_ = 0;
    u32 pins_ = 0;
};

// Brings up every I/O APIC of the MADT with all pins masked, each GSI routed to its vector on
// the CPU with APIC id `destination` with the trigger and polarity of the MADT's overrides
// (ISA conventions below 16, PCI's level/low above), and registers the irq::Controller over
// them. IrqSource kinds: isa (through the overrides) and gsi.
Result<void> init_io_apics(const Madt& madt, u32 destination);
// The I/O APIC serving gsi, for ktests and logs.
IoApic* io_apic_for(u32 gsi);
// The GSIs the I/O APICs have; the controller's lines above them are MSI lines.
u32 gsi_count();

} // namespace keel::x86
