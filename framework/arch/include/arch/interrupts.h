// The interrupt concern of the arch contract (framework/arch_contract.h): declared once here,
// defined by each framework/arch/<arch>/ folder. The arch finds its interrupt controller and
// per-CPU timer from firmware facts (ACPI MADT, device tree), registers the controller with
// irq::register_controller (irq/controller.h), and from its interrupt entry calls
// irq::dispatch(line) between claim and EOI, and timer::handle_interrupt() for its timer.
#pragma once

#include <keel/boot_info.h>

namespace keel::arch {

// After the memory framework is up (IoMem works), before services start. Interrupts stay
// masked on the CPU except inside wait_for_interrupt (until the scheduler arrives).
void init_interrupts(const BootInfo& info);

// Arms this CPU's one-shot timer for monotonic time deadline_ns (clock::monotonic_ns scale);
// 0 disarms. A deadline already past fires at once.
void set_timer_deadline(u64 deadline_ns);

// Unmasks interrupts, waits until at least one was handled, masks them again.
void wait_for_interrupt();

// For the boot log: e.g. "GICv3", "LAPIC+IOAPIC"; "generic timer", "LAPIC timer (TSC-deadline)".
StringView interrupt_controller_name();
StringView timer_name();

} // namespace keel::arch
