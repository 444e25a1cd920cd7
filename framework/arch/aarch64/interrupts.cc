// aarch64: the interrupt concern of the arch contract (arch/interrupts.h). The GIC and the timer
// come from the device tree; vectors.S enters keel_arch_irq for an IRQ taken at EL1, which
// acknowledges, dispatches and ends interrupts until none is pending, then lets the scheduler
// switch tasks (sched::interrupt_exit) before vectors.S restores the interrupted context. An IRQ
// taken at EL0 gets the same handling without interrupt_exit (handle_pending_interrupts, called
// by enter_user in user_mode.cc; its caller preempts). IPIs
// are SGI ipi_sgi, handled here (smp::handle_ipi); SPIs and LPIs go to the boot CPU, and each CPU's
// timer PPI runs its own timer queue.
#include <arch/cpu.h>
#include <arch/interrupts.h>

#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/panic.h>

#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/generic_timer.h"
#include "arch/aarch64/gic.h"
#include "arch/aarch64/rtc.h"
#include "irq/controller.h"
#include "mm/cpu_local.h"
#include "sched/scheduler.h"
#include "smp.h"

namespace keel::arch {

namespace {
constinit Gic the_gic;
constinit bool gic_ready = false;
constinit Array<u64, max_cpus> irq_entries{}; // per CPU: each CPU's idle wait watches its own

// SPSR_EL1.M[3:0] of an exception taken from EL1 running on SP_EL1 (EL1h).
constexpr u64 spsr_mode_mask = 0xf;
constexpr u64 spsr_mode_el1h = 0x5;

// Interrupts handled per entry before returning: more are taken on the next entry, so a storm
// on one line cannot keep the CPU in the handler for good.
constexpr u32 max_interrupts_per_entry = 16;
} // namespace

Gic* gic() { return gic_ready ? &the_gic : nullptr; }

void init_interrupts(const BootInfo& info) {
    Result<boot::DeviceTree> dt = boot_device_tree(info);
    if (dt.is_error()) {
        panic("interrupts: no device tree ({})", dt.error());
    }
    if (Result<void> done = the_gic.init(dt.value()); done.is_error()) {
        panic("interrupts: no usable GIC in the device tree ({})", done.error());
    }
    gic_ready = true;
    irq::register_controller(the_gic);
    the_gic.enable(ipi_sgi);
    StringView cpu_side = "redistributor";
    if (the_gic.version() == Gic::Version::v2) {
        cpu_side = "CPU interface";
    }
    log::info("interrupts: {} distributor at {:#x}, {} at {:#x}, {} lines", the_gic.name(),
              the_gic.distributor_phys(), cpu_side, the_gic.cpu_interface_phys(),
              the_gic.line_count());
    if (Result<void> done = generic_timer::init(dt.value()); done.is_error()) {
        panic("interrupts: no generic timer interrupt in the device tree ({})", done.error());
    }
    init_rtc(dt.value());
}

Result<void> init_secondary_interrupts() {
    TRY(the_gic.init_this_cpu());
    the_gic.enable(ipi_sgi);
    generic_timer::init_this_cpu();
    return {};
}

void send_ipi(u32 cpu) {
    if (gic_ready && cpu < max_cpus) {
        the_gic.send_sgi(cpu, ipi_sgi);
    }
}

void set_timer_deadline(u64 deadline_ns) { generic_timer::set_deadline(deadline_ns); }

void wait_for_interrupt() {
    if (!gic_ready) {
        return; // nothing could wake it: the callers' own loops and deadlines decide
    }
    u64 saved = save_and_disable_interrupts();
    u64& entries = irq_entries[this_cpu()]; // IRQs are masked: this CPU until restored
    u64 seen = __atomic_load_n(&entries, __ATOMIC_RELAXED);
    // WFI with IRQs masked still wakes on a pending interrupt, so one raised after the caller
    // last looked is not slept through; it is taken once unmasked (the ISB makes the unmask
    // take effect before masking again). WFI may also wake for nothing: loop until an
    // interrupt was actually handled.
    while (__atomic_load_n(&entries, __ATOMIC_RELAXED) == seen) {
        // SAFETY: waits and briefly unmasks IRQs on this CPU; the entry restores everything.
        asm volatile("dsb sy\n\twfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
    }
    restore_interrupts(saved);
}

StringView interrupt_controller_name() { return gic_ready ? the_gic.name() : "none"; }
StringView timer_name() { return "EL1 virtual timer"; }

u64 interrupt_entries() {
    u64 total = 0;
    for (const u64& entries : irq_entries) {
        total += __atomic_load_n(&entries, __ATOMIC_RELAXED);
    }
    return total;
}

} // namespace keel::arch

namespace keel::arch {
void handle_pending_interrupts() {
    __atomic_fetch_add(&irq_entries[this_cpu()], 1, __ATOMIC_RELAXED);
    if (!gic_ready) {
        return; // cannot happen: IRQs stay masked until the GIC is up
    }
    Gic& gic = the_gic;
    for (u32 n = 0; n < max_interrupts_per_entry; ++n) {
        u32 ack = gic.acknowledge();
        u32 intid = gic.intid(ack);
        if (Gic::is_special(intid)) {
            break; // nothing (more) pending: spurious, or taken by another CPU
        }
        u32 line = gic.line_of(intid); // an LPI's line sits above the SPIs
        if (line == ipi_sgi) {
            smp::handle_ipi(); // a cross-CPU call, or only a wake-up for interrupt_exit after
            gic.end(ack);
            continue;
        }
        irq::dispatch(line);
        gic.end(ack);
    }
}
} // namespace keel::arch

extern "C" void keel_arch_irq(keel::arch::TrapFrame* frame) {
    using namespace keel;
    arch::handle_pending_interrupts();
    // Every interrupt taken is ended (its priority dropped), so the next task can take new
    // ones. The timer tick may have asked for another task: interrupt_exit switches to it here,
    // with IRQs still masked (PSTATE.I, set by the exception), on this task's stack, where the
    // frame waits below us. When something switches back, this returns and vectors.S restores
    // the interrupted context from the frame, ELR and SPSR included, as if just now. Only from
    // the kernel: an IRQ taken at EL0 ends enter_user (user_mode.cc), whose caller preempts.
    if ((frame->spsr & arch::spsr_mode_mask) == arch::spsr_mode_el1h) {
        sched::interrupt_exit();
    }
}
