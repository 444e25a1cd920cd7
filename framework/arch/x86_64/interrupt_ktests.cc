// ktests of the x86_64 interrupt path on the running machine: IrqSource translation through the
// MADT's overrides, busy lines, a real device line (the CMOS RTC's periodic interrupt, ISA IRQ
// 8) delivered, ended and masked, the local APIC timer's interrupts and accuracy, and a return
// from an interrupt that leaves every register of the interrupted code as it was.
#include <keel/clock.h>
#include <keel/console_input.h>
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/timer.h>

#include "apic.h"
#include "console/console.h"
#include "irq/controller.h"
#include "madt.h"
#include "rtc.h"

namespace keel::x86::interrupt_ktests {

constexpr u64 ms = 1000 * 1000;

IrqSource isa(u32 n) { return {IrqSource::Kind::isa, n}; }
IrqSource gsi(u32 n) { return {IrqSource::Kind::gsi, n}; }

struct Flag final : TimerCallback {
    void on_timer() override {
        __atomic_store_n(&fired, 1, __ATOMIC_RELAXED);
        at = clock::monotonic_ns();
    }
    u64 fired = 0;
    u64 at = 0;
};

// Idles (interrupts on only while waiting) until a timer ns away has fired: at least ns of
// monotonic time, and that timer's interrupt taken.
void idle_for(u64 ns) {
    Flag flag;
    Timer timer;
    if (timer.arm(clock::monotonic_ns() + ns, flag).is_error()) {
        return;
    }
    while (__atomic_load_n(&flag.fired, __ATOMIC_RELAXED) == 0) {
        wait_for_interrupt();
    }
}

const Madt::Override* override_of(u32 isa_irq) {
    for (const Madt::Override& o : madt().overrides) {
        if (o.isa_irq == isa_irq) {
            return &o;
        }
    }
    return nullptr;
}

KTEST(x86_irq, isa_and_gsi_sources_translate_through_the_madt_overrides) {
    irq::Controller* c = irq::controller();
    KASSERT(c != nullptr);
    KEXPECT(gsi_count() >= 16 && gsi_count() <= c->line_count() && c->line_count() == max_lines);
    // Every override moves its ISA IRQ to its GSI; an ISA IRQ whose pin another IRQ took (the
    // 8259 cascade, IRQ 2, when IRQ 0 sits on GSI 2) has no line.
    for (const Madt::Override& o : madt().overrides) {
        KEXPECT_EQ(c->translate(isa(o.isa_irq)).value_or(~0u), o.gsi);
        if (o.gsi != o.isa_irq && o.gsi < 16 && override_of(o.gsi) == nullptr) {
            KEXPECT_EQ(c->translate(isa(o.gsi)).error(), Errno::einval);
        }
    }
    // COM1's IRQ 4 has no override on PCs: identity.
    if (override_of(4) == nullptr) {
        KEXPECT_EQ(c->translate(isa(4)).value_or(~0u), 4u);
    }
    KEXPECT_EQ(c->translate(gsi(0)).value_or(~0u), 0u);
    KEXPECT_EQ(c->translate(gsi(gsi_count() - 1)).value_or(~0u), gsi_count() - 1);
    // Lines above the GSIs are MSI lines: no firmware source names them.
    KEXPECT_EQ(c->translate(gsi(gsi_count())).error(), Errno::einval);
    KEXPECT_EQ(c->translate(isa(16)).error(), Errno::einval);
    IrqSource dt;
    dt.kind = IrqSource::Kind::device_tree;
    dt.cell_count = 3;
    KEXPECT_EQ(c->translate(dt).error(), Errno::einval);
}

KTEST(x86_irq, a_held_line_is_busy_under_either_name) {
    if (console_input::available()) {
        KEXPECT_EQ(IrqLine::acquire(isa(4)).error(), Errno::ebusy); // console input holds it
    }
    u32 line = irq::controller()->translate(isa(8)).value_or(~0u);
    {
        Result<IrqLine> held = IrqLine::acquire(isa(8));
        KASSERT(held.ok());
        KEXPECT_EQ(held.value().number(), line);
        KEXPECT_EQ(IrqLine::acquire(gsi(line)).error(), Errno::ebusy);
        KEXPECT_EQ(IrqLine::acquire(isa(8)).error(), Errno::ebusy);
    }
    KEXPECT(IrqLine::acquire(gsi(line)).ok()); // released with its IrqLine
    // ISA IRQ 0 and its GSI are one line.
    if (const Madt::Override* o = override_of(0)) {
        Result<IrqLine> timer0 = IrqLine::acquire(isa(0));
        KASSERT(timer0.ok());
        KEXPECT_EQ(IrqLine::acquire(gsi(o->gsi)).error(), Errno::ebusy);
    }
}

// The RTC raises IRQ 8 at its periodic rate until register C is read; reading it is the ack.
struct RtcAck final : IrqHandler {
    void handle_irq() override {
        (void)cmos_read(cmos_status_c);
        ++count;
    }
    u64 count = 0;
};

KTEST(x86_irq, rtc_interrupts_arrive_and_stop_while_the_line_is_masked) {
    RtcAck ack;
    Result<IrqLine> line = IrqLine::acquire(isa(8));
    KASSERT(line.ok());
    line.value().attach(ack);
    u64 spurious = spurious_interrupt_count();
    u8 saved_a = cmos_read(cmos_status_a);
    u8 saved_b = cmos_read(cmos_status_b);
    constexpr u8 rate_1024_hz = 6; // 32768 Hz >> (rate - 1)
    cmos_write(cmos_status_a, static_cast<u8>((saved_a & 0xf0) | rate_1024_hz));
    cmos_write(cmos_status_b, saved_b | cmos_b_periodic_interrupt);
    (void)cmos_read(cmos_status_c);

    line.value().enable();
    u64 start = clock::monotonic_ns();
    // Five in a row: each one after the first needs the EOI of the one before.
    KEXPECT(ktest::idle_until([&] { return ack.count >= 5; }));
    u64 took = clock::monotonic_ns() - start;
    u64 delivered = ack.count;
    KEXPECT_EQ(line.value().count(), delivered);

    line.value().disable();
    idle_for(2 * ms); // one may already have been on its way to the CPU
    u64 at_mask = ack.count;
    idle_for(20 * ms);
    KEXPECT_EQ(ack.count, at_mask);

    (void)cmos_read(cmos_status_c); // what arrived while masked: the RTC raises again
    line.value().enable();
    KEXPECT(ktest::idle_until([&] { return ack.count >= at_mask + 5; }));

    line.value().disable();
    cmos_write(cmos_status_b, saved_b);
    cmos_write(cmos_status_a, saved_a);
    (void)cmos_read(cmos_status_c);
    KEXPECT_EQ(spurious_interrupt_count(), spurious);
    format(console::sink(), "ktest:     RTC at 1024 Hz: {} interrupts in {} us\n", delivered,
           took / 1000);
}

KTEST(x86_timer, timer_interrupts_are_counted_and_ended) {
    u64 before = timer_interrupt_count();
    idle_for(1 * ms);
    idle_for(1 * ms); // a second interrupt: the first one's EOI was done
    KEXPECT(timer_interrupt_count() >= before + 2);
    KEXPECT(lapic_timer_hz() >= 1000000);
    // One-shot, re-armed for the nearest deadline left: the scheduler's tick, at most one
    // 10 ms time slice away (nothing would be counting without it).
    KEXPECT(u64{lapic_timer_remaining()} <= lapic_timer_hz() / 100 + 1);
}

KTEST(x86_timer, one_shots_fire_on_time) {
    // 20 one-shots of 1-20 ms: never early, late by little (TCG adds the emulator's latency).
    u64 worst = 0;
    u64 total = 0;
    constexpr u64 runs = 20;
    for (u64 i = 1; i <= runs; ++i) {
        Flag flag;
        Timer timer;
        u64 deadline = clock::monotonic_ns() + i * ms;
        KASSERT(timer.arm(deadline, flag).ok());
        while (__atomic_load_n(&flag.fired, __ATOMIC_RELAXED) == 0) {
            wait_for_interrupt();
        }
        KEXPECT(flag.at >= deadline);
        u64 late = flag.at - deadline;
        worst = max(worst, late);
        total += late;
    }
    format(console::sink(), "ktest:     LAPIC one-shot lateness: mean {} us, worst {} us\n",
           total / runs / 1000, worst / 1000);
    // The host may preempt the emulator now and then; the line above is the measurement.
    KEXPECT(worst < ktest::lost_after_ns);
}

KTEST(x86_irq, an_interrupt_returns_with_every_register_intact) {
    // Interrupts on in a loop that holds a pattern in every general register the compiler lets
    // go of (all but rsp, rbp and rax, the flag's address); a timer interrupt lands somewhere
    // in it. Afterwards every register must still hold its pattern.
    Flag flag;
    Timer timer;
    KASSERT(timer.arm(clock::monotonic_ns() + 1 * ms, flag).ok());
    u64 intact = 0;
    u64 spins = 1000000000; // bound: a lost interrupt fails the test instead of hanging
    // SAFETY: the registers written are declared clobbered; interrupts are on only between
    // sti and cli, and handlers restore everything they touch; the memory operands are the
    // locals named.
    asm volatile("movq $0x11111111, %%rbx\n\t"
                 "movq $0x22222222, %%rcx\n\t"
                 "movq $0x33333333, %%rdx\n\t"
                 "movq $0x44444444, %%rsi\n\t"
                 "movq $0x55555555, %%rdi\n\t"
                 "movq $0x66666666, %%r8\n\t"
                 "movq $0x77777777, %%r9\n\t"
                 "movq $0x18888888, %%r10\n\t"
                 "movq $0x19999999, %%r11\n\t"
                 "movq $0x1aaaaaaa, %%r12\n\t"
                 "movq $0x1bbbbbbb, %%r13\n\t"
                 "movq $0x1ccccccc, %%r14\n\t"
                 "movq $0x1ddddddd, %%r15\n\t"
                 "sti\n"
                 "1:\n\t"
                 "cmpq $0, (%[flag])\n\t"
                 "jne 2f\n\t"
                 "decq %[spins]\n\t"
                 "jnz 1b\n"
                 "2:\n\t"
                 "cli\n\t"
                 "cmpq $0x11111111, %%rbx\n\tjne 3f\n\t"
                 "cmpq $0x22222222, %%rcx\n\tjne 3f\n\t"
                 "cmpq $0x33333333, %%rdx\n\tjne 3f\n\t"
                 "cmpq $0x44444444, %%rsi\n\tjne 3f\n\t"
                 "cmpq $0x55555555, %%rdi\n\tjne 3f\n\t"
                 "cmpq $0x66666666, %%r8\n\tjne 3f\n\t"
                 "cmpq $0x77777777, %%r9\n\tjne 3f\n\t"
                 "cmpq $0x18888888, %%r10\n\tjne 3f\n\t"
                 "cmpq $0x19999999, %%r11\n\tjne 3f\n\t"
                 "cmpq $0x1aaaaaaa, %%r12\n\tjne 3f\n\t"
                 "cmpq $0x1bbbbbbb, %%r13\n\tjne 3f\n\t"
                 "cmpq $0x1ccccccc, %%r14\n\tjne 3f\n\t"
                 "cmpq $0x1ddddddd, %%r15\n\tjne 3f\n\t"
                 "movq $1, %[intact]\n"
                 "3:"
                 : [intact] "+m"(intact), [spins] "+m"(spins)
                 : [flag] "a"(&flag.fired)
                 : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
                   "r15", "memory", "cc");
    KEXPECT(flag.fired != 0);
    KEXPECT(spins != 0);
    KEXPECT_EQ(intact, u64{1});
}

} // namespace keel::x86::interrupt_ktests
