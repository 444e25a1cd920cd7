// The interrupt concern of the arch contract on x86_64: the MADT's local APIC and I/O APICs
// (apic.h), the legacy 8259s masked, the local APIC timer as the per-CPU one-shot, COM1's
// receive interrupt for console input, the CMOS RTC's date in the log; and the C++ side of the
// interrupt entry (entry.S -> traps.cc -> handle_interrupt).
#include <arch/interrupts.h>
#include <arch/smp.h>

#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/panic.h>

#include "acpi.h"
#include "apic.h"
#include "console/console.h"
#include "console/uart16550.h"
#include "irq/controller.h"
#include "madt.h"
#include "mm/cpu_local.h"
#include "rtc.h"
#include "smp.h"
#include "timer_internal.h"
#include "x86.h"

namespace keel::x86 {

namespace {
// The 8259 pair (8259A datasheet): command and data ports, and the initialization words.
constexpr u16 port_pic_master_command = 0x20;
constexpr u16 port_pic_master_data = 0x21;
constexpr u16 port_pic_slave_command = 0xa0;
constexpr u16 port_pic_slave_data = 0xa1;
constexpr u8 icw1_init_with_icw4 = 0x11;
constexpr u8 icw3_master_slave_on_irq2 = 1 << 2;
constexpr u8 icw3_slave_identity = 2;
constexpr u8 icw4_8086_mode = 0x01;
constexpr u8 ocw1_mask_all = 0xff;

constexpr u8 com1_isa_irq = 4; // the PC standard, as its port is (console.cc)

constinit Madt the_madt;
constinit bool ready = false;
constinit Array<u64, max_cpus> timer_interrupts{};
constinit u64 spurious_interrupts = 0;
constinit u64 apic_errors = 0;

// Moves the 8259s' vectors off the exceptions (the BIOS leaves the master at 0x08, on #DF),
// then masks every input. Masked, they raise nothing; a spurious IRQ 7 or 15 they might still
// signal then lands on a vector that says what it is.
void mask_legacy_pics() {
    outb(port_pic_master_command, icw1_init_with_icw4);
    outb(port_pic_slave_command, icw1_init_with_icw4);
    outb(port_pic_master_data, vector_legacy_pic);
    outb(port_pic_slave_data, vector_legacy_pic + 8);
    outb(port_pic_master_data, icw3_master_slave_on_irq2);
    outb(port_pic_slave_data, icw3_slave_identity);
    outb(port_pic_master_data, icw4_8086_mode);
    outb(port_pic_slave_data, icw4_8086_mode);
    outb(port_pic_master_data, ocw1_mask_all);
    outb(port_pic_slave_data, ocw1_mask_all);
}

void log_madt(const Madt& m) {
    log::info("acpi: MADT: local APIC {:#x}, {} I/O APIC(s), {} CPU(s), 8259s {}",
              m.local_apic_phys, m.io_apics.size(), m.cpu_count,
              m.has_8259 ? StringView("present, masked") : StringView("absent"));
    for (const Madt::IoApic& io : m.io_apics) {
        if (IoApic* chip = io_apic_for(io.gsi_base)) {
            log::info("ioapic: id {} at {:#x}, GSIs {}-{}", io.id, io.phys, io.gsi_base,
                      io.gsi_base + chip->pins() - 1);
        }
    }
    FixedString<160> text;
    for (const Madt::Override& o : m.overrides) {
        bool level = (o.flags & InterruptMode::trigger_mask) == InterruptMode::trigger_level;
        bool low = (o.flags & InterruptMode::polarity_mask) == InterruptMode::polarity_low;
        format(text, " {}->{}{}{}", o.isa_irq, o.gsi, level ? StringView(" level") : StringView(),
               low ? StringView(" low") : StringView());
    }
    log::info("acpi: ISA overrides:{}", text.view());
}

template <typename T>
T checked(Result<T> result, StringView what) {
    if (!result.ok()) {
        panic("interrupts: {} ({})", what, result.error());
    }
    return result.release_value();
}
} // namespace

const Madt& madt() { return the_madt; }
u64 timer_interrupt_count() {
    u64 total = 0;
    for (const u64& count : timer_interrupts) {
        total += __atomic_load_n(&count, __ATOMIC_RELAXED);
    }
    return total;
}
u64 timer_interrupt_count_on(u32 cpu) {
    return cpu < max_cpus ? __atomic_load_n(&timer_interrupts[cpu], __ATOMIC_RELAXED) : 0;
}
u64 spurious_interrupt_count() { return __atomic_load_n(&spurious_interrupts, __ATOMIC_RELAXED); }

// Runs with interrupts masked (interrupt gates), on the interrupted context's stack.
void handle_interrupt(u64 vector) {
    LocalApic& apic = local_apic();
    if (vector == vector_spurious || (vector >= vector_legacy_pic && vector < vector_timer)) {
        // Neither the APIC's spurious vector nor an 8259's is in service: no EOI.
        __atomic_fetch_add(&spurious_interrupts, 1, __ATOMIC_RELAXED);
        return;
    }
    if (vector == vector_timer) {
        __atomic_fetch_add(&timer_interrupts[arch::cpu_index()], 1, __ATOMIC_RELAXED);
        timer::handle_interrupt(); // runs the expired callbacks, re-arms for the next one
    } else if (vector == vector_ipi) {
        smp::handle_ipi(); // a cross-CPU call; a wake-up reschedules in interrupt_exit
    } else if (vector == vector_apic_error) {
        __atomic_fetch_add(&apic_errors, 1, __ATOMIC_RELAXED);
        (void)apic.take_errors();
    } else if (vector >= vector_first_line && vector < vector_first_line + max_lines) {
        // The vector is the claim: it names the line (GSI) the I/O APIC delivered.
        irq::dispatch(static_cast<u32>(vector - vector_first_line));
    }
    // Ends the interrupt in the local APIC; for a level-triggered line the EOI reaches the I/O
    // APIC, which may deliver again if the device still asserts it.
    apic.end_of_interrupt();
}

} // namespace keel::x86

namespace keel::arch {

void init_interrupts(const BootInfo&) {
    using namespace x86;
    {
        acpi::PhysReader mem;
        Bytes table = checked(acpi::find_table(mem, "APIC"), "no ACPI MADT");
        the_madt = checked(parse_madt(table), "the MADT cannot be parsed");
    }
    if (the_madt.has_8259) {
        mask_legacy_pics();
    }
    checked(local_apic().init(the_madt), "the local APIC cannot be used");
    checked(init_io_apics(the_madt, local_apic().id()), "the I/O APICs cannot be used");
    init_lapic_timer();
    if (lapic_timer_hz() == 0) {
        panic("interrupts: the local APIC timer does not count"); // every wait would hang
    }
    ready = true;
    log_madt(the_madt);
    log::info("lapic: id {} at {:#x}, timer {} kHz (calibrated against the TSC)", local_apic().id(),
              local_apic().phys(), lapic_timer_hz() / 1000);

    // COM1's receive interrupt feeds console input, when COM1 is the console.
    if (console::current() == &com1()) {
        IrqSource source{IrqSource::Kind::isa, com1_isa_irq};
        Result<void> wired = console::enable_interrupt_input(source);
        if (wired.is_error()) {
            log::warn("console: no input interrupt ({})", wired.error());
        }
    }
    init_rtc();
}

void wait_for_interrupt() {
    // SAFETY: STI takes effect only after the next instruction, so an interrupt already
    // pending is taken once HLT has begun and wakes it, never in between to leave HLT asleep.
    // The handler returns here through IRETQ with every register restored; CLI masks again.
    asm volatile("sti; hlt; cli" : : : "memory");
}

StringView interrupt_controller_name() {
    return x86::ready ? StringView("LAPIC+IOAPIC") : StringView("none");
}

} // namespace keel::arch
