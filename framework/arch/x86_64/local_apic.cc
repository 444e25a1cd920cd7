// The local APIC in xAPIC mode: enabled with its spurious vector, every local interrupt source
// masked except the NMI pin the MADT names, the error LVT on its own vector.
#include <keel/log.h>

#include "apic.h"
#include "io_mem_internal.h"
#include "x86.h"

namespace keel::x86 {

namespace {
constexpr u32 msr_apic_base = 0x1b;
constexpr u64 apic_base_enable = u64{1} << 11;
constexpr u64 apic_base_x2apic = u64{1} << 10;
constexpr u32 spurious_apic_enable = 1 << 8;
constexpr u32 madt_all_processors = 0xff;
constexpr u32 madt_all_x2apic_processors = 0xffffffff;

constinit LocalApic boot_cpu_apic;

// The LVT bits for the MADT's NMI pin: NMI delivery, with its polarity and trigger.
u32 nmi_lvt(u16 flags) {
    u32 lvt = LocalApic::lvt_delivery_nmi;
    if ((flags & InterruptMode::polarity_mask) == InterruptMode::polarity_low) {
        lvt |= LocalApic::lvt_active_low;
    }
    if ((flags & InterruptMode::trigger_mask) == InterruptMode::trigger_level) {
        lvt |= LocalApic::lvt_level_triggered;
    }
    return lvt;
}
} // namespace

LocalApic& local_apic() { return boot_cpu_apic; }

Result<void> LocalApic::init(const Madt& madt) {
    if ((rdmsr(msr_apic_base) & apic_base_x2apic) != 0) {
        return Errno::enodev;
    }
    regs_ = TRY(IoMemAccess::acquire_claimed(madt.local_apic_phys, window_size));
    return init_this_cpu(madt);
}

Result<void> LocalApic::init_this_cpu(const Madt& madt) const {
    u64 base = rdmsr(msr_apic_base);
    if ((base & apic_base_x2apic) != 0) {
        // The MMIO window is dead in x2APIC mode; leaving it needs a full disable first.
        return Errno::enodev;
    }
    if ((base & apic_base_enable) == 0) {
        wrmsr(msr_apic_base, base | apic_base_enable);
    }
    // Where the CPU decodes its APIC is the MSR's to say; the MADT should agree.
    u64 msr_phys = base & ~u64{0xfff} & ((u64{1} << features().phys_bits) - 1);
    if (msr_phys != madt.local_apic_phys) {
        log::warn("lapic: MADT says {:#x}, IA32_APIC_BASE {:#x}", madt.local_apic_phys, msr_phys);
    }

    // Everything masked first, so that nothing the firmware left behind (LINT0 in virtual-wire
    // mode, where the 8259 sends its interrupts) arrives half set up.
    u32 max_lvt = (read(reg_version) >> 16) & 0xff;
    write(reg_lvt_timer, lvt_masked | vector_timer);
    write(reg_lvt_lint0, lvt_masked);
    write(reg_lvt_lint1, lvt_masked);
    if (max_lvt >= 4) {
        write(reg_lvt_performance, lvt_masked);
    }
    if (max_lvt >= 5) {
        write(reg_lvt_thermal, lvt_masked);
    }
    write(reg_lvt_error, vector_apic_error);
    (void)take_errors();
    write(reg_task_priority, 0); // accept every priority class
    write(reg_spurious, spurious_apic_enable | vector_spurious);

    // The NMI pin: a watchdog or the board's NMI button, per the MADT (LINT1 on PCs), for every
    // processor or for this one by its UID.
    u32 apic_id = id();
    u32 uid = madt_all_processors;
    for (const Madt::Cpu& cpu : madt.cpus) {
        if (cpu.apic_id == apic_id) {
            uid = cpu.processor_uid;
        }
    }
    for (const Madt::LocalNmi& nmi : madt.local_nmis) {
        if (nmi.processor_uid == madt_all_processors ||
            nmi.processor_uid == madt_all_x2apic_processors || nmi.processor_uid == uid) {
            write(nmi.lint == 0 ? reg_lvt_lint0 : reg_lvt_lint1, nmi_lvt(nmi.flags));
        }
    }
    // An interrupt in service from before (firmware) would hold back its class: end it.
    end_of_interrupt();
    return {};
}

u32 LocalApic::take_errors() const {
    write(reg_error_status, 0);
    return read(reg_error_status);
}

} // namespace keel::x86
