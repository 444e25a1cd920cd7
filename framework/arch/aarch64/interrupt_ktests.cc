// ktests of the aarch64 interrupt path: the GIC is the one the device tree names, specifiers are
// parsed by the GIC binding, a software-raised line is delivered, ended and masked, an interrupt
// preserves every register of the code it interrupts, and the virtual timer fires on time.
#include <keel/clock.h>
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/log.h>
#include <keel/timer.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <arch/smp.h>

#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/generic_timer.h"
#include "arch/aarch64/gic.h"
#include "boot/live_device_tree.h"
#include "console/console.h"

namespace keel::arch {
namespace {

constexpr u64 ms = 1000 * 1000;

// Runs with IRQs unmasked until done() or limit_ns passed; whether done() held. Unlike
// wait_for_interrupt this cannot hang when an interrupt never comes (a missing EOI blocks them
// all, the timer's too).
template <typename Done>
bool spin_with_interrupts(Done done, u64 limit_ns) {
    u64 until = clock::monotonic_ns() + limit_ns;
    u64 saved = save_and_disable_interrupts();
    // SAFETY: unmasks IRQs on this CPU; the entry saves and restores the interrupted context.
    asm volatile("msr daifclr, #2\n\tisb" ::: "memory");
    while (!done() && clock::monotonic_ns() < until) {
    }
    restore_interrupts(saved);
    return done();
}

// The GIC's interrupt specifier for one of its lines (the GIC binding: <type number flags>).
IrqSource specifier(u32 type, u32 number, u32 flags) {
    IrqSource s;
    s.kind = IrqSource::Kind::device_tree;
    s.cells = {type, number, flags, 0};
    s.cell_count = gic()->interrupt_cells();
    return s;
}

// The last SPI: no device on QEMU virt is wired to it (they sit below SPI 180), so raising it
// by software stands in for a device.
u32 test_line() { return gic()->spi_limit() - 1; }

struct Counter final : IrqHandler {
    void handle_irq() override { __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED); }
    u64 seen() const { return __atomic_load_n(&count, __ATOMIC_RELAXED); }
    u64 count = 0;
};

KTEST(aarch64_irq, gic_is_the_device_tree_interrupt_parent) {
    Gic* g = gic();
    KASSERT(g != nullptr && irq::controller() == g);
    Result<boot::DeviceTree> dt = boot_device_tree(boot_info());
    KASSERT(dt.ok());
    Optional<boot::DeviceTree::Node> node =
        boot::interrupt_parent(dt.value(), boot::DeviceTree::root);
    KASSERT(node.has_value());
    bool v3 = dt.value().is_compatible(*node, "arm,gic-v3");
    KEXPECT(v3 == (g->version() == Gic::Version::v3));
    KEXPECT(interrupt_controller_name() == g->name());
    KEXPECT(g->name() == (v3 ? StringView("GICv3") : StringView("GICv2")));
    KEXPECT(v3 ? g->architecture_revision() >= 3 : g->architecture_revision() == 2);
    Array<PhysRange, 2> regs{};
    usize n = 0;
    KASSERT(dt.value()
                .for_each_reg(*node,
                              [&](u64 base, u64 size) {
                                  if (n < 2) {
                                      regs[n++] = {base, size};
                                  }
                              })
                .ok());
    KASSERT(n == 2);
    KEXPECT_EQ(g->distributor_phys(), regs[0].base);
    // v2: the GICC frame; v3: this CPU's frame inside the redistributor region.
    KEXPECT(g->cpu_interface_phys() >= regs[1].base && g->cpu_interface_phys() < regs[1].end());
    KEXPECT(v3 || g->cpu_interface_phys() == regs[1].base);
    // The framework keeps the GIC: drivers cannot map it.
    KEXPECT_EQ(IoMem::acquire(regs[0].base, 0x1000).error(), Errno::eperm);
    KEXPECT_EQ(IoMem::acquire(regs[1].base, 0x1000).error(), Errno::eperm);
    // GICD_TYPER: a multiple of 32 lines, the SPIs QEMU virt wires included.
    KEXPECT(g->spi_limit() % 32 == 0 && g->spi_limit() >= 64);
}

// GICv3: every CPU the device tree lists has its own redistributor frame (the walk SMP bring-up
// will use), and the boot CPU's is the one in use. GICv2 has none to find.
KTEST(aarch64_irq, each_cpu_has_its_own_redistributor) {
    Gic& g = *gic();
    if (g.version() != Gic::Version::v3) {
        return;
    }
    Result<boot::DeviceTree> dt = boot_device_tree(boot_info());
    KASSERT(dt.ok());
    Optional<boot::DeviceTree::Node> cpus = dt.value().find("/cpus");
    KASSERT(cpus.has_value());
    Array<u64, 8> frames{};
    usize n = 0;
    dt.value().for_each_child(*cpus, [&](boot::DeviceTree::Node cpu) {
        Optional<StringView> type = dt.value().string_property(cpu, "device_type");
        if (!type || *type != StringView("cpu")) {
            return;
        }
        u64 mpidr = ~u64{0};
        static_cast<void>(dt.value().for_each_reg(cpu, [&](u64 reg, u64) { mpidr = reg; }).ok());
        u64 affinity = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
        Result<Gic::Redistributor> r = g.redistributor_of(affinity);
        if (!KEXPECT(r.ok()) || n == frames.size()) {
            return;
        }
        frames[n++] = r.value().region->phys() + r.value().offset;
        if (affinity == boot_info().boot_cpu_id) {
            KEXPECT_EQ(frames[n - 1], g.cpu_interface_phys());
        }
    });
    KEXPECT(n >= 1);
    for (usize i = 0; i < n; ++i) {
        for (usize j = i + 1; j < n; ++j) {
            KEXPECT(frames[i] != frames[j]);
        }
    }
    KEXPECT_EQ(g.redistributor_of(0xff00'0000).error(), Errno::enodev);
}

KTEST(aarch64_irq, specifiers_follow_the_gic_binding) {
    Gic& g = *gic();
    KEXPECT_EQ(g.translate(specifier(0, 1, 4)).value_or(0), u32{33});      // SPI 1, level
    KEXPECT_EQ(g.translate(specifier(1, 11, 0x104)).value_or(0), u32{27}); // PPI 11, CPU mask
    KEXPECT_EQ(g.translate(specifier(0, test_line() - 32, 1)).value_or(0), test_line());
    KEXPECT_EQ(g.translate(specifier(1, 15, 8)).value_or(0), u32{31});
    IrqSource short_one = specifier(0, 1, 4);
    short_one.cell_count = 2;
    KEXPECT_EQ(g.translate(short_one).error(), Errno::einval);
    KEXPECT_EQ(g.translate(specifier(2, 1, 4)).error(), Errno::einval); // extended SPI range
    KEXPECT_EQ(g.translate(specifier(0, test_line() - 31, 4)).error(), Errno::einval);
    KEXPECT_EQ(g.translate(specifier(1, 16, 4)).error(), Errno::einval);
    KEXPECT_EQ(g.translate(specifier(0, 1, 8)).error(), Errno::einval); // SPIs: no low level
    KEXPECT_EQ(g.translate(specifier(0, 1, 0)).error(), Errno::einval); // no trigger at all
    IrqSource isa;
    isa.kind = IrqSource::Kind::isa;
    isa.number = 4;
    KEXPECT_EQ(IrqLine::acquire(isa).error(), Errno::einval);
    IrqSource gsi;
    gsi.kind = IrqSource::Kind::gsi;
    gsi.number = 33;
    KEXPECT_EQ(IrqLine::acquire(gsi).error(), Errno::einval);
}

KTEST(aarch64_irq, held_lines_are_refused) {
    // The timer's PPI belongs to the arch, the UART's SPI to console input.
    KEXPECT_EQ(IrqLine::acquire(specifier(1, generic_timer::line() - 16, 4)).error(), Errno::ebusy);
    {
        Result<IrqLine> first = IrqLine::acquire(specifier(0, test_line() - 32, 1));
        KASSERT(first.ok());
        KEXPECT_EQ(IrqLine::acquire(specifier(0, test_line() - 32, 1)).error(), Errno::ebusy);
    }
    // Released with its IrqLine.
    KEXPECT(IrqLine::acquire(specifier(0, test_line() - 32, 1)).ok());
}

KTEST(aarch64_irq, a_raised_line_is_delivered_ended_and_masked) {
    Gic& g = *gic();
    Counter counter;
    Result<IrqLine> taken = IrqLine::acquire(specifier(0, test_line() - 32, 1));
    KASSERT(taken.ok());
    IrqLine& line = taken.value();
    line.attach(counter);
    line.enable();
    KEXPECT(g.is_enabled(test_line()));
    KEXPECT(g.is_edge_triggered(test_line())); // the specifier's trigger, applied on enable

    g.set_pending(test_line());
    KEXPECT(spin_with_interrupts([&] { return counter.seen() == 1; }, ktest::lost_after_ns));
    KEXPECT(!g.is_pending(test_line()));
    // Only an ended interrupt lets another of its priority through: a second one arrives.
    g.set_pending(test_line());
    KEXPECT(spin_with_interrupts([&] { return counter.seen() == 2; }, ktest::lost_after_ns));
    KEXPECT_EQ(line.count(), u64{2});

    // Masked: it stays pending in the distributor and is not delivered ...
    line.disable();
    KEXPECT(!g.is_enabled(test_line()));
    g.set_pending(test_line());
    KEXPECT(!spin_with_interrupts([&] { return counter.seen() != 2; }, 5 * ms));
    KEXPECT(g.is_pending(test_line()));
    // ... until unmasked.
    line.enable();
    KEXPECT(spin_with_interrupts([&] { return counter.seen() == 3; }, ktest::lost_after_ns));
    line.detach();
    KEXPECT(!g.is_enabled(test_line()));
}

// A level line shared by two holders (PCI INTx style): each interrupt runs both handlers; the
// line stays unmasked until the last holder disables it; an exclusive holder is refused.
KTEST(aarch64_irq, a_shared_line_runs_every_handler_and_masks_after_the_last) {
    Gic& g = *gic();
    IrqSource source = specifier(0, test_line() - 32, 4);
    Result<IrqLine> first = IrqLine::acquire_shared(source);
    Result<IrqLine> second = IrqLine::acquire_shared(source);
    KASSERT(first.ok() && second.ok());
    KEXPECT_EQ(IrqLine::acquire(source).error(), Errno::ebusy);
    Counter a;
    Counter b;
    first.value().attach(a);
    second.value().attach(b);
    first.value().enable();
    second.value().enable();
    g.set_pending(test_line());
    KEXPECT(
        spin_with_interrupts([&] { return a.seen() == 1 && b.seen() == 1; }, ktest::lost_after_ns));
    KEXPECT_EQ(first.value().count(), u64{1});
    first.value().disable();
    KEXPECT(g.is_enabled(test_line())); // the second holder still wants it
    second.value().detach();
    KEXPECT(!g.is_enabled(test_line()));
    // A line held exclusively takes no sharers.
    Result<IrqLine> moved = move(first);
    first = Errno::einval;
    second = Errno::einval;
    moved = Errno::einval;
    Result<IrqLine> exclusive = IrqLine::acquire(source);
    KASSERT(exclusive.ok());
    KEXPECT_EQ(IrqLine::acquire_shared(source).error(), Errno::ebusy);
}

// Fills x0-x30 and NZCV with patterns, unmasks IRQs for a moment (the caller left one pending),
// and stores what the registers hold afterwards in out[0..30], NZCV in out[31].
[[gnu::naked]] void registers_across_an_interrupt(u64* out) {
    // SAFETY: saves and restores every callee-saved register and the frame record it uses; the
    // patterns live only between the save and the restore; SP stays 16-byte aligned.
    asm(R"(
        stp x29, x30, [sp, #-16]!
        mov x29, sp
        stp x19, x20, [sp, #-16]!
        stp x21, x22, [sp, #-16]!
        stp x23, x24, [sp, #-16]!
        stp x25, x26, [sp, #-16]!
        stp x27, x28, [sp, #-16]!
        str x0, [sp, #-16]!
        mov x0, #0xa0000000
        msr nzcv, x0
        .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
        movz x\r, #\r
        movk x\r, #0xa5a5, lsl #48
        .endr
        msr daifclr, #2
        isb
        nop
        nop
        msr daifset, #2
        sub sp, sp, #256
        stp x0, x1, [sp, #0]
        stp x2, x3, [sp, #16]
        stp x4, x5, [sp, #32]
        stp x6, x7, [sp, #48]
        stp x8, x9, [sp, #64]
        stp x10, x11, [sp, #80]
        stp x12, x13, [sp, #96]
        stp x14, x15, [sp, #112]
        stp x16, x17, [sp, #128]
        stp x18, x19, [sp, #144]
        stp x20, x21, [sp, #160]
        stp x22, x23, [sp, #176]
        stp x24, x25, [sp, #192]
        stp x26, x27, [sp, #208]
        stp x28, x29, [sp, #224]
        mrs x0, nzcv
        stp x30, x0, [sp, #240]
        ldr x0, [sp, #256]
        mov x1, #0
    1:  ldr x2, [sp, x1, lsl #3]
        str x2, [x0, x1, lsl #3]
        add x1, x1, #1
        cmp x1, #32
        b.lo 1b
        add sp, sp, #272
        ldp x27, x28, [sp], #16
        ldp x25, x26, [sp], #16
        ldp x23, x24, [sp], #16
        ldp x21, x22, [sp], #16
        ldp x19, x20, [sp], #16
        ldp x29, x30, [sp], #16
        ret
    )");
}

KTEST(aarch64_irq, an_interrupt_preserves_every_register) {
    Gic& g = *gic();
    Counter counter;
    Result<IrqLine> taken = IrqLine::acquire(specifier(0, test_line() - 32, 1));
    KASSERT(taken.ok());
    taken.value().attach(counter);
    taken.value().enable();
    Array<u64, 32> out{};
    u64 entries = interrupt_entries();
    // Masked until the window, on this CPU, which the line is routed to for the test (the
    // boot CPU gets it back after).
    u64 saved = save_and_disable_interrupts();
    g.route_to(test_line(), cpu_index());
    g.set_pending(test_line());
    registers_across_an_interrupt(out.span().data()); // returns masked
    restore_interrupts(saved);
    g.route_to(test_line(), 0);
    KASSERT(counter.seen() == 1); // it was taken inside the window
    KEXPECT(interrupt_entries() > entries);
    for (u64 r = 0; r <= 30; ++r) {
        if (!KEXPECT_EQ(out[r], 0xa5a5'0000'0000'0000 | r)) {
            format(console::sink(), "  x{} changed across the interrupt\n", r);
        }
    }
    KEXPECT_EQ(out[31] & 0xf000'0000, u64{0xa000'0000}); // N and C set, Z and V clear
}

KTEST(aarch64_irq, the_virtual_timer_fires_on_time) {
    // The timer's PPI from the device tree's timer node (third entry: the virtual timer).
    KEXPECT_EQ(generic_timer::line(), u32{16 + 11});
    KEXPECT(gic()->is_enabled(generic_timer::line()));
    KEXPECT(!gic()->is_edge_triggered(generic_timer::line()));
    u64 before = generic_timer::interrupt_count();
    struct Stamp final : TimerCallback {
        void on_timer() override { at = clock::monotonic_ns(); }
        u64 at = 0;
    };
    constexpr u32 rounds = 20;
    u64 worst = 0;
    u64 total = 0;
    for (u32 i = 0; i < rounds; ++i) {
        Stamp stamp;
        Timer timer;
        u64 deadline = clock::monotonic_ns() + 1 * ms + i * 37 * 1000;
        KASSERT(timer.arm(deadline, stamp).ok());
        while (stamp.at == 0) {
            wait_for_interrupt();
        }
        KEXPECT(stamp.at >= deadline); // never early
        worst = max(worst, stamp.at - deadline);
        total += stamp.at - deadline;
    }
    KEXPECT(generic_timer::interrupt_count() >= before + rounds);
    log::info("aarch64 timer: {} one-shots, latency avg {} us, worst {} us", rounds,
              total / rounds / 1000, worst / 1000);
    KEXPECT(worst < ktest::lost_after_ns); // TCG: ~0.1 ms typical; the log line measures
}

KTEST(aarch64_irq, deadlines_convert_to_the_first_tick_at_or_after_them) {
    u64 freq = counter_frequency();
    auto ns_of = [&](u64 t) { return (t / freq) * 1000000000 + (t % freq) * 1000000000 / freq; };
    Array<u64, 7> samples{1, 15, 16, 999999999, 1000000000, 123456789012, clock::monotonic_ns()};
    for (u64 ns : samples) {
        u64 t = generic_timer::ticks_for(ns);
        KEXPECT(ns_of(t) >= ns);
        KEXPECT(t == 0 || ns_of(t - 1) < ns);
    }
    // The farthest deadline stays far in the future (saturating, never wrapping to the past).
    KEXPECT(generic_timer::ticks_for(~u64{0}) > counter() + u64{100} * 365 * 86400 * freq);
}

KTEST(aarch64_irq, a_zero_deadline_disarms_the_timer) {
    // Nothing else is armed on this CPU while ktests run (its tick included, once disarmed: so
    // nothing preempts this task and moves it to another CPU); the queue re-arms the hardware on
    // its next use. Other CPUs' timers keep firing: count this CPU's interrupts only.
    u32 cpu = cpu_index();
    u64 before = generic_timer::interrupt_count(cpu);
    set_timer_deadline(clock::monotonic_ns() + 1 * ms);
    set_timer_deadline(0);
    KEXPECT(!spin_with_interrupts([&] { return generic_timer::interrupt_count(cpu) != before; },
                                  5 * ms));
    set_timer_deadline(1); // long past: fires at once
    KEXPECT(spin_with_interrupts([&] { return generic_timer::interrupt_count(cpu) != before; },
                                 ktest::lost_after_ns));
}

} // namespace
} // namespace keel::arch
