// The EL1 virtual timer: CNTV_CVAL_EL0 holds the deadline in counter ticks, CNTV_CTL_EL0 enables
// it; the timer asserts its PPI (level) while enabled, unmasked and the count is at or past
// CVAL. The virtual one because the clock reads the virtual counter (CNTVCT), so deadline and
// clock are in one time base, and because EL1 owns it whether the kernel was entered at EL1 or
// EL2 (the EL1 physical timer can be taken away by a hypervisor, CNTHCTL_EL2.EL1PCEN).
#include "arch/aarch64/generic_timer.h"

#include <keel/irq.h>
#include <keel/ktl/array.h>
#include <keel/ktl/optional.h>

#include <arch/clock.h>

#include "arch/aarch64/sysreg.h"
#include "mm/cpu_local.h"
#include "timer_internal.h"

namespace keel::arch::generic_timer {

namespace {
constexpr u64 ctl_enable = 1;
constexpr u64 ns_per_s = 1000000000;
// The timer node's `interrupts`: secure physical, non-secure physical, virtual, hypervisor.
constexpr u32 virtual_timer_index = 2;

class TimerHandler final : public IrqHandler {
public:
    void handle_irq() override {
        // Ack: the line is level and stays high until the timer is disabled or moved on;
        // handle_interrupt re-arms it for the next deadline, if there is one.
        // SAFETY: this CPU's own timer control register.
        KEEL_WRITE_SYSREG(cntv_ctl_el0, 0);
        __atomic_fetch_add(&count[this_cpu()], 1, __ATOMIC_RELAXED);
        timer::handle_interrupt();
    }
    Array<u64, max_cpus> count{};
};

constinit TimerHandler handler;
constinit Optional<IrqLine> timer_line;
} // namespace

Result<void> init(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> node;
    dt.for_each_node([&](boot::DeviceTree::Node n) {
        if (!node && dt.is_enabled(n) &&
            (dt.is_compatible(n, "arm,armv8-timer") || dt.is_compatible(n, "arm,armv7-timer"))) {
            node = n;
        }
    });
    Gic* controller = gic();
    if (!node || controller == nullptr) {
        return Errno::enodev;
    }
    Optional<Bytes> interrupts = dt.property(*node, "interrupts");
    u32 cells = controller->interrupt_cells();
    usize at = 4 * cells * virtual_timer_index;
    if (!interrupts || interrupts->size() < at + 4 * cells) {
        return Errno::einval;
    }
    IrqSource source;
    source.kind = IrqSource::Kind::device_tree;
    source.cell_count = cells;
    for (u32 i = 0; i < cells; ++i) {
        source.cells[i] = read_be<u32>(*interrupts, at + 4 * i);
    }
    // SAFETY: this CPU's own timer, disarmed before its interrupt is enabled.
    KEEL_WRITE_SYSREG(cntv_ctl_el0, 0);
    IrqLine taken = TRY(IrqLine::acquire(source));
    if (taken.number() < Gic::first_ppi || taken.number() >= Gic::first_spi) {
        return Errno::einval; // the per-CPU timer is a PPI by definition
    }
    timer_line = move(taken);
    timer_line->attach(handler);
    timer_line->enable();
    return {};
}

u64 ticks_for(u64 ns) {
    u64 freq = counter_frequency();
    u64 seconds = ns / ns_per_s;
    if (freq == 0 || seconds > ~u64{0} / freq - 1) {
        return ~u64{0}; // beyond the counter's range: never
    }
    // clock::monotonic_ns() is floor(ticks * 1e9 / freq); the smallest such ticks is the
    // ceiling of ns * freq / 1e9, split to stay within 64 bits (as clock.cc does).
    return seconds * freq + ((ns % ns_per_s) * freq + ns_per_s - 1) / ns_per_s;
}

void set_deadline(u64 ns) {
    if (ns == 0) {
        // SAFETY: this CPU's own timer control register.
        KEEL_WRITE_SYSREG(cntv_ctl_el0, 0);
        return;
    }
    // SAFETY: as above; a compare value already passed asserts the interrupt at once.
    KEEL_WRITE_SYSREG(cntv_cval_el0, ticks_for(ns));
    KEEL_WRITE_SYSREG(cntv_ctl_el0, ctl_enable);
}

void init_this_cpu() {
    // SAFETY: this CPU's own timer, disarmed before its interrupt is enabled.
    KEEL_WRITE_SYSREG(cntv_ctl_el0, 0);
    if (Gic* controller = gic(); controller != nullptr && timer_line) {
        controller->enable(timer_line->number()); // the PPI's enable is this CPU's own
    }
}

u32 line() { return timer_line ? timer_line->number() : 0; }

u64 interrupt_count() {
    u64 total = 0;
    for (const u64& n : handler.count) {
        total += __atomic_load_n(&n, __ATOMIC_RELAXED);
    }
    return total;
}

u64 interrupt_count(u32 cpu) {
    return cpu < max_cpus ? __atomic_load_n(&handler.count[cpu], __ATOMIC_RELAXED) : 0;
}

} // namespace keel::arch::generic_timer
