// riscv64: the interrupt concern of the arch contract (arch/interrupts.h). The PLIC from the
// device tree is the irq::Controller (plic.cc), the hart timer is Sstc's stimecmp or SBI's
// set_timer (hart_timer.cc), and trap_entry.S brings every interrupt, with the full register
// frame, to handle_interrupt below. The supervisor software interrupt is the IPI (smp.cc): it
// serves smp::handle_ipi(). Device interrupts go to the boot hart's PLIC context only; each hart
// has its own timer (and timer queue). Interrupts are enabled per cause in sie at boot and taken
// only while sstatus.SIE is set: inside wait_for_interrupt, and in tasks (the scheduler's task
// entry unmasks them). On the way out trap.cc calls sched::interrupt_exit (preemption).
#include <arch/clock.h>
#include <arch/interrupts.h>
#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/panic.h>

#include "csr.h"
#include "device_tree.h"
#include "goldfish_rtc.h"
#include "hart_timer.h"
#include "irq_entry.h"
#include "mm/cpu_local.h"
#include "plic.h"
#include "smp.h"
#include "timer_internal.h"

namespace keel::arch {

namespace {
constinit Array<riscv::InterruptCounts, max_cpus> counts{};

} // namespace

void init_interrupts(const BootInfo& info) {
    Optional<boot::DeviceTree> dt = riscv::boot_device_tree();
    if (!dt) {
        log::warn("interrupts: no device tree, so no PLIC and no RTC");
    } else if (Result<void> found = riscv::plic().init(*dt, info.boot_cpu_id); found.is_error()) {
        log::warn("interrupts: no usable PLIC ({}): no device interrupts", found.error());
    } else {
        irq::register_controller(riscv::plic());
        riscv::csr::set_sie(riscv::csr::irq_sei);
        log::info("plic: {:#x}, {} sources, hart {} S-mode context {}", riscv::plic().phys(),
                  riscv::plic().sources(), info.boot_cpu_id, riscv::plic().context());
    }
    riscv::init_hart_timer();
    // Inter-processor interrupts (smp.cc's send_ipi): the supervisor software interrupt.
    riscv::csr::clear_sip(riscv::csr::irq_ssi);
    riscv::csr::set_sie(riscv::csr::irq_ssi);
    if (dt) {
        (void)riscv::init_goldfish_rtc(*dt);
    }
}

void set_timer_deadline(u64 deadline_ns) {
    riscv::program_hart_timer(deadline_ns == 0 ? ~u64{0} : riscv::ticks_for_ns(deadline_ns));
}

void wait_for_interrupt() {
    u64 seen = __atomic_load_n(&counts[this_cpu()].total, __ATOMIC_RELAXED);
    do {
        // With SIE clear, wfi still wakes when an interrupt enabled in sie is pending, but no
        // trap is taken: the one that woke us is taken when SIE is set next, so none is missed
        // between the caller's check and the wait. wfi may also return for no reason, hence
        // the loop until the count moves.
        // SAFETY: sets SIE only between the two csrs; the trap path saves and restores every
        // register, and the "memory" clobber makes the compiler reload what handlers changed.
        asm volatile("wfi\n\t"
                     "csrs sstatus, %0\n\t"
                     "csrc sstatus, %0" ::"r"(riscv::csr::sstatus_sie)
                     : "memory");
    } while (__atomic_load_n(&counts[this_cpu()].total, __ATOMIC_RELAXED) == seen);
}

StringView interrupt_controller_name() {
    return riscv::plic().ready() ? StringView("PLIC") : StringView("none");
}

StringView timer_name() { return riscv::hart_timer_name(riscv::hart_timer()); }

namespace riscv {

void handle_interrupt(u64 code) {
    InterruptCounts& mine = counts[this_cpu()];
    switch (code) {
    case supervisor_timer_interrupt:
        ++mine.timer;
        // Disarm first, which lowers STIP whatever the queue holds; handle_interrupt then arms
        // the next deadline, if any.
        program_hart_timer(~u64{0});
        timer::handle_interrupt();
        break;
    case supervisor_external_interrupt:
        ++mine.external;
        plic().handle_external();
        break;
    case supervisor_software_interrupt:
        ++mine.software;
        // An IPI (send_ipi): acknowledge it first, so that one sent while the calls are served
        // raises SSIP again and is not lost.
        csr::clear_sip(csr::irq_ssi);
        smp::handle_ipi();
        break;
    default:
        panic("unexpected interrupt: scause code {}", code);
    }
    __atomic_fetch_add(&mine.total, 1, __ATOMIC_RELAXED);
}

InterruptCounts interrupt_counts() { return counts[this_cpu()]; }

void init_secondary_interrupts(u64 hart) {
    if (Optional<boot::DeviceTree> dt = boot_device_tree(); dt && plic().ready()) {
        if (Result<void> quiet = plic().quiet_hart(*dt, hart); quiet.is_error()) {
            log::warn("plic: no S-mode context for hart {} ({})", hart, quiet.error());
        }
    }
    init_hart_timer();
    csr::clear_sip(csr::irq_ssi);
    csr::set_sie(csr::irq_ssi); // IPIs and the timer; SEIE stays clear (devices go to CPU 0)
}

} // namespace riscv
} // namespace keel::arch
