// The per-CPU one-shot timer: the local APIC timer. QEMU's TCG offers no TSC-deadline mode, so
// the timer counts down from an initial count at a rate the APIC does not state (the bus or
// core crystal clock through a divider): it is measured against the TSC, the monotonic clock,
// at boot.
#include <arch/interrupts.h>

#include <keel/clock.h>
#include <keel/ktl/array.h>

#include "apic.h"

namespace keel::x86 {

namespace {
constexpr u32 divide_by_16 = 0x3; // divide configuration register: bits 3, 1:0 = 0b011
constexpr u32 max_count = 0xffffffff;
constexpr u64 ns_per_s = 1000000000;
// Longer waits are split: the queue re-arms when the interrupt finds nothing expired yet.
constexpr u64 max_arm_ns = 3600 * ns_per_s;

constinit u64 timer_hz = 0;

// A reading of the count with the monotonic time it was taken at: the middle of the clock
// readings around it, since an APIC register access is slow under emulation.
struct Sample {
    u64 ns;
    u32 count;
};
Sample sample(const LocalApic& apic) {
    u64 before = clock::monotonic_ns();
    u32 count = apic.read(LocalApic::reg_timer_current);
    u64 after = clock::monotonic_ns();
    return {before + (after - before) / 2, count};
}

// Timer ticks per second over one window of TSC time, with the timer masked. Measured between
// two readings of the running count, not from the write that starts it: under TCG the first
// instructions after that write can take tens of microseconds (translation), which the timer
// would count and the clock would not.
u64 measure_rate(u64 window_ns) {
    LocalApic& apic = local_apic();
    apic.write(LocalApic::reg_timer_initial, max_count);
    Sample first = sample(apic);
    while (clock::monotonic_ns() - first.ns < window_ns) {
    }
    Sample last = sample(apic);
    apic.write(LocalApic::reg_timer_initial, 0);
    return u64{first.count - last.count} * ns_per_s / (last.ns - first.ns);
}
} // namespace

void init_lapic_timer() {
    LocalApic& apic = local_apic();
    apic.write(LocalApic::reg_lvt_timer, LocalApic::lvt_masked | vector_timer);
    apic.write(LocalApic::reg_timer_divide, divide_by_16);
    // The median of three 5 ms runs: the host may preempt an emulated CPU during one of them.
    Array<u64, 3> runs{};
    for (u64& hz : runs) {
        hz = measure_rate(5 * 1000 * 1000);
    }
    u64 lo = min(runs[0], min(runs[1], runs[2]));
    u64 hi = max(runs[0], max(runs[1], runs[2]));
    timer_hz = runs[0] + runs[1] + runs[2] - lo - hi;
    // One-shot mode (LVT bits 18:17 = 0), unmasked; nothing runs until an initial count.
    apic.write(LocalApic::reg_lvt_timer, vector_timer);
}

void start_lapic_timer() {
    LocalApic& apic = local_apic();
    apic.write(LocalApic::reg_lvt_timer, LocalApic::lvt_masked | vector_timer);
    apic.write(LocalApic::reg_timer_divide, divide_by_16);
    apic.write(LocalApic::reg_timer_initial, 0);
    apic.write(LocalApic::reg_lvt_timer, vector_timer);
}

u64 lapic_timer_hz() { return timer_hz; }

u32 lapic_timer_remaining() { return local_apic().read(LocalApic::reg_timer_current); }

} // namespace keel::x86

namespace keel::arch {

void set_timer_deadline(u64 deadline_ns) {
    x86::LocalApic& apic = x86::local_apic();
    if (!apic.ready() || x86::timer_hz == 0) {
        return;
    }
    if (deadline_ns == 0) {
        apic.write(x86::LocalApic::reg_timer_initial, 0); // stops the count: no interrupt
        return;
    }
    u64 now = clock::monotonic_ns();
    u64 delta = deadline_ns > now ? min(deadline_ns - now, x86::max_arm_ns) : 0;
    // Rounded up, so the interrupt never comes before the deadline by the timer's own count;
    // at least one tick, so a deadline already past fires at once.
    u64 hz = x86::timer_hz;
    u64 ticks = (delta / x86::ns_per_s) * hz +
                ((delta % x86::ns_per_s) * hz + x86::ns_per_s - 1) / x86::ns_per_s;
    ticks = max(u64{1}, min(ticks, u64{x86::max_count}));
    apic.write(x86::LocalApic::reg_timer_initial, static_cast<u32>(ticks));
}

StringView timer_name() { return "LAPIC timer (one-shot)"; }

} // namespace keel::arch
