// Interrupts and timers end to end on each arch: the per-CPU timer interrupt fires callbacks at
// their deadlines, in order, on the arming CPU; IrqLine refuses what it must; typed console input
// arrives through the UART's receive interrupt (an alone case: ./keel test types it).
#include <keel/clock.h>
#include <keel/console_input.h>
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/timer.h>

#include <arch/cpu.h>
#include <arch/interrupts.h>

#include "console/console.h"
#include "irq/controller.h"
#include "mm/cpu_local.h"

namespace keel {
namespace {

constexpr u64 ms = 1000 * 1000;

struct Recorder final : TimerCallback {
    void on_timer() override {
        fired_at = clock::monotonic_ns();
        cpu = this_cpu();
        order = next_order++;
    }
    u64 fired_at = 0;
    usize cpu = ~usize{0};
    u32 order = 0;
    static inline u32 next_order = 0;
};

// Idles until every recorder fired or limit_ns passed.
template <usize N>
void wait_for(Array<Recorder*, N> recorders, u64 limit_ns) {
    u64 until = clock::monotonic_ns() + limit_ns;
    for (;;) {
        bool all = true;
        for (Recorder* r : recorders) {
            all = all && __atomic_load_n(&r->fired_at, __ATOMIC_RELAXED) != 0;
        }
        if (all || clock::monotonic_ns() > until) {
            return;
        }
        wait_for_interrupt();
    }
}

KTEST(timer, a_10ms_timer_fires_after_10ms_not_before) {
    Recorder r;
    Timer timer;
    u64 start = clock::monotonic_ns();
    KASSERT(timer.arm(start + 10 * ms, r).ok());
    KEXPECT(timer.armed());
    wait_for(Array<Recorder*, 1>{&r}, 10 * ms + ktest::lost_after_ns);
    KASSERT(r.fired_at != 0);
    KEXPECT(r.fired_at >= start + 10 * ms);
    KEXPECT(r.fired_at < start + 10 * ms + ktest::lost_after_ns);
    KEXPECT_EQ(r.cpu, this_cpu());
    KEXPECT(!timer.armed());
}

KTEST(timer, timers_fire_in_deadline_order_and_cancelled_ones_never) {
    Recorder a, b, c, cancelled;
    Timer ta, tb, tc, tx;
    // Masked until tx is cancelled: an interrupt or a preemption in between must not let its
    // 3 ms pass first (the task also stays on this CPU, whose queue gets all four).
    u64 saved = arch::save_and_disable_interrupts();
    u64 now = clock::monotonic_ns();
    KASSERT(tc.arm(now + 6 * ms, c).ok());
    KASSERT(ta.arm(now + 2 * ms, a).ok());
    KASSERT(tx.arm(now + 3 * ms, cancelled).ok());
    KASSERT(tb.arm(now + 4 * ms, b).ok());
    KEXPECT_EQ(ta.arm(now + 1 * ms, b).error(), Errno::ebusy);
    KEXPECT_EQ(Timer().arm(0, a).error(), Errno::einval);
    tx.cancel();
    arch::restore_interrupts(saved);
    wait_for(Array<Recorder*, 3>{&a, &b, &c}, 30 * ms + ktest::lost_after_ns);
    KEXPECT(a.fired_at != 0 && b.fired_at != 0 && c.fired_at != 0);
    KEXPECT(a.order < b.order && b.order < c.order);
    KEXPECT(a.fired_at <= b.fired_at && b.fired_at <= c.fired_at);
    KEXPECT_EQ(cancelled.fired_at, u64{0});
}

KTEST(timer, a_deadline_in_the_past_fires_at_once) {
    Recorder r;
    Timer timer;
    KASSERT(timer.arm(1, r).ok());
    wait_for(Array<Recorder*, 1>{&r}, ktest::lost_after_ns);
    KEXPECT(r.fired_at != 0);
}

KTEST(irq, a_controller_is_registered_and_bad_sources_are_refused) {
    irq::Controller* c = irq::controller();
    KASSERT(c != nullptr);
    KEXPECT(c->line_count() > 0);
    KEXPECT(!arch::interrupt_controller_name().empty());
    KEXPECT(!arch::timer_name().empty());
    IrqSource nonsense;
    nonsense.kind = IrqSource::Kind::device_tree;
    nonsense.cell_count = 0; // no specifier at all
    KEXPECT_EQ(IrqLine::acquire(nonsense).error(), Errno::einval);
    IrqSource huge;
    huge.kind = IrqSource::Kind::gsi;
    huge.number = 1u << 30;
    KEXPECT(IrqLine::acquire(huge).is_error());
}

// MSI lines: where the controller takes messages (x86's local APIC, a GICv2m frame, a GICv3
// ITS), each allocation is a line of its own with its own message, and a freed line is reused.
// The PLIC and a GICv2 without a v2m frame refuse with EOPNOTSUPP, and PCI falls back to INTx.
// The lines are for one sender (requester ID 00:00.0, the host bridge, which sends none
// itself), as a function's vectors are.
KTEST(irq, msi_lines_are_distinct_and_freed_with_their_holder) {
    constexpr u32 device_id = 0;
    Result<IrqLine> first = IrqLineAccess::allocate_msi(device_id);
    if (first.is_error()) {
        KEXPECT_EQ(first.error(), Errno::eopnotsupp);
        ktest::skip("the interrupt controller takes no message-signalled interrupts");
        return;
    }
    u32 first_line = first.value().number();
    irq::MsiMessage first_message = IrqLineAccess::msi_message(first.value());
    KEXPECT(first_message.address != 0);
    {
        Result<IrqLine> second = IrqLineAccess::allocate_msi(device_id);
        KASSERT(second.ok());
        KEXPECT(second.value().number() != first_line);
        irq::MsiMessage m = IrqLineAccess::msi_message(second.value());
        KEXPECT(m.address != first_message.address || m.data != first_message.data);
        // An MSI line belongs to its holder: firmware sources cannot name it, so it cannot be
        // acquired a second time through them.
        KEXPECT(irq::controller()->line_count() > second.value().number());
    }
    Result<IrqLine> again = IrqLineAccess::allocate_msi(device_id);
    KASSERT(again.ok());
    KEXPECT(again.value().number() != first_line);
}

// Run by ./keel test with a line typed at the console once the prompt shows.
KTEST_ALONE(console_input, typed_line_arrives_by_interrupt) {
    KASSERT(console_input::available());
    format(console::sink(), "ktest: console input: waiting for a line\n");
    Array<u8, 64> line{};
    usize got = 0;
    u64 until = clock::monotonic_ns() + 20000 * ms;
    while (got < line.size() && clock::monotonic_ns() < until) {
        Result<usize> n = console_input::read_wait(line.span().subspan(got), 1000 * ms);
        if (n.ok()) {
            got += n.value();
            if (got > 0 && (line[got - 1] == '\r' || line[got - 1] == '\n')) {
                break;
            }
        }
    }
    // SAFETY: char may alias the bytes, and the reads above filled got <= line.size() of them.
    StringView text(
        Span<const char>::from_raw(reinterpret_cast<const char*>(line.span().data()), got));
    format(console::sink(), "ktest: console input: got \"{}\"\n",
           text.substr(0, got > 0 ? got - 1 : 0));
    KEXPECT(got >= 12);
    KEXPECT(text.substr(0, 12) == StringView("keel-typed-1"));
    KEXPECT_EQ(console_input::overruns(), u64{0});
}

} // namespace
} // namespace keel
