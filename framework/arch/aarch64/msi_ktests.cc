// ktests of aarch64 message-signalled interrupts end to end: the CPU writes an MSI where a PCI
// function would (the GICv2m frame's SETSPI, the ITS's GITS_TRANSLATER), and the line's handler
// runs, only while the line is enabled; a disabled line's message is held pending, not lost.
// On a GICv3 these are LPIs through the ITS, which must have translated the write by the
// DeviceID it carries (a CPU's: 0 on QEMU) and the event ID (the message data).
#include <keel/irq.h>
#include <keel/ktest.h>

#include "arch/aarch64/gic.h"
#include "irq/controller.h"

namespace keel::arch {
namespace {

constexpr u64 ms = 1000 * 1000;

// QEMU tags the CPU's own writes with requester ID 0, so the ITS translates them as DeviceID 0
// (requester ID 00:00.0: the host bridge, which sends no MSIs of its own).
constexpr u32 cpu_device_id = 0;

struct Counter final : IrqHandler {
    void handle_irq() override { __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED); }
    u64 seen() const { return __atomic_load_n(&count, __ATOMIC_RELAXED); }
    u64 count = 0;
};

KTEST(aarch64_msi, a_written_message_is_delivered_to_its_line_only_while_enabled) {
    Gic& g = *gic();
    Result<IrqLine> first = IrqLineAccess::allocate_msi(cpu_device_id);
    if (first.is_error()) {
        KEXPECT_EQ(first.error(), Errno::eopnotsupp);
        KEXPECT(g.version() == Gic::Version::v2); // every GICv3 QEMU gives has an ITS
        ktest::skip("a GICv2 without a v2m frame takes no message-signalled interrupts");
        return;
    }
    Result<IrqLine> second = IrqLineAccess::allocate_msi(cpu_device_id);
    KASSERT(second.ok());
    IrqLine& a = first.value();
    IrqLine& b = second.value();
    if (g.version() == Gic::Version::v3) {
        // LPIs, on lines above the SPIs.
        KEXPECT(g.its().owns(a.number()) && g.its().owns(b.number()));
        KEXPECT(a.number() >= g.spi_limit() && b.number() >= g.spi_limit());
    }
    Counter on_a;
    Counter on_b;
    a.attach(on_a);
    b.attach(on_b);
    a.enable();
    b.enable();
    KEXPECT(g.is_enabled(a.number()) && g.is_enabled(b.number()));
    KEXPECT(g.is_edge_triggered(a.number()));

    irq::MsiMessage to_a = IrqLineAccess::msi_message(a);
    irq::MsiMessage to_b = IrqLineAccess::msi_message(b);
    KASSERT(g.write_msi(to_a).ok());
    KEXPECT(ktest::idle_until([&] { return on_a.seen() == 1; }));
    KASSERT(g.write_msi(to_b).ok());
    KEXPECT(ktest::idle_until([&] { return on_b.seen() == 1; }));
    KEXPECT_EQ(on_a.seen(), u64{1}); // b's message is b's alone
    KEXPECT_EQ(a.count(), u64{1});

    // Disabled: the message is not delivered ...
    a.disable();
    KEXPECT(!g.is_enabled(a.number()));
    KASSERT(g.write_msi(to_a).ok());
    KEXPECT(!ktest::idle_until([&] { return on_a.seen() != 1; }, 20 * ms));
    // ... but kept pending, and delivered once enabled again.
    a.enable();
    KEXPECT(ktest::idle_until([&] { return on_a.seen() == 2; }));
    KEXPECT_EQ(on_b.seen(), u64{1});

    // A message nobody allocated is refused before it is written.
    KEXPECT_EQ(g.write_msi({to_a.address + 4, to_a.data}).error(), Errno::einval);
}

// A freed LPI's mapping goes with it (DISCARD): the ITS drops a later message for it, and the
// LPI handed out again answers only its new holder.
KTEST(aarch64_msi, a_freed_lpi_is_unmapped) {
    Gic& g = *gic();
    if (!g.its().ready()) {
        ktest::skip("no GICv3 ITS on this machine");
        return;
    }
    irq::MsiMessage old_message;
    u32 old_line = 0;
    {
        Result<IrqLine> line = IrqLineAccess::allocate_msi(cpu_device_id);
        KASSERT(line.ok());
        old_line = line.value().number();
        old_message = IrqLineAccess::msi_message(line.value());
    }
    // Unmapped: the event translates to nothing (QEMU counts it as an error of the write, not
    // of the command queue), so the next allocation still works.
    KASSERT(g.write_msi(old_message).ok());
    Result<IrqLine> again = IrqLineAccess::allocate_msi(cpu_device_id);
    KASSERT(again.ok());
    KEXPECT_EQ(again.value().number(), old_line); // the lowest free LPI
    Counter counter;
    again.value().attach(counter);
    again.value().enable();
    // The earlier write was dropped, not kept pending for the new holder.
    KEXPECT(!ktest::idle_until([&] { return counter.seen() != 0; }, 20 * ms));
    KASSERT(g.write_msi(IrqLineAccess::msi_message(again.value())).ok());
    KEXPECT(ktest::idle_until([&] { return counter.seen() == 1; }));
}

} // namespace
} // namespace keel::arch
