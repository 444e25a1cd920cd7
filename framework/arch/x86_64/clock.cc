// The clock concern: the TSC, its frequency from CPUID when the CPU states it, else measured
// against the PIT at boot.
#include <arch/clock.h>

#include <keel/ktl/array.h>

#include "x86.h"

namespace keel {

namespace {
constinit u64 tsc_hz = 0;

constexpr u16 port_pit_channel2 = 0x42;
constexpr u16 port_pit_command = 0x43;
constexpr u16 port_system_control = 0x61;
constexpr u8 pit_gate2 = 1 << 0;
constexpr u8 pit_speaker = 1 << 1;
constexpr u8 pit_out2 = 1 << 5;
constexpr u8 pit_channel2_mode0_lohi = 0xb0; // channel 2, low then high byte, one-shot

// CPUID 0x15 (TSC/crystal ratio and crystal clock) or 0x16 (base MHz); 0 when not stated.
u64 tsc_hz_from_cpuid() {
    u32 max_leaf = x86::cpuid(0).eax;
    if (max_leaf >= 0x15) {
        x86::CpuidResult r = x86::cpuid(0x15);
        if (r.eax != 0 && r.ebx != 0 && r.ecx != 0) {
            return u64{r.ecx} * r.ebx / r.eax;
        }
    }
    if (max_leaf >= 0x16) {
        u32 mhz = x86::cpuid(0x16).eax & 0xffff;
        if (mhz != 0) {
            return u64{mhz} * 1000000;
        }
    }
    return 0;
}
} // namespace

namespace x86 {

PitRun tsc_ticks_over_pit(u16 pit_ticks) {
    u8 saved = inb(port_system_control);
    outb(port_system_control, static_cast<u8>((saved & ~pit_speaker) | pit_gate2));
    outb(port_pit_command, pit_channel2_mode0_lohi);
    outb(port_pit_channel2, static_cast<u8>(pit_ticks));
    // The count starts with its high byte.
    u64 start_before = rdtsc();
    outb(port_pit_channel2, static_cast<u8>(pit_ticks >> 8));
    u64 start_after = rdtsc();
    // OUT2 rises when the count reaches zero: between the last read that saw it low and the
    // first that saw it high. Bounded: a machine without a PIT must not hang.
    u64 low_seen_before = start_after;
    u64 end_after = start_after;
    bool done = false;
    for (u32 spin = 0; spin < 10000000 && !done; ++spin) {
        u64 before = rdtsc();
        done = (inb(port_system_control) & pit_out2) != 0;
        end_after = rdtsc();
        if (!done) {
            low_seen_before = before;
        }
    }
    outb(port_system_control, saved);
    if (!done) {
        return {};
    }
    return {end_after - start_after, (start_after - start_before) + (end_after - low_seen_before)};
}

u64 measure_tsc_over_pit(u16 pit_ticks, u32 tries) {
    Array<u64, 3> trusted{};
    Array<u64, 3> any{};
    u32 trusted_count = 0;
    u32 any_count = 0;
    for (u32 i = 0; i < tries && trusted_count < trusted.size(); ++i) {
        PitRun run = tsc_ticks_over_pit(pit_ticks);
        if (run.ticks == 0) {
            continue;
        }
        if (run.trustworthy()) {
            trusted[trusted_count++] = run.ticks;
        }
        any[any_count++ % any.size()] = run.ticks;
    }
    auto median = [](const Array<u64, 3>& runs, u32 count) -> u64 {
        if (count < 3) {
            return runs[0];
        }
        u64 lo = min(runs[0], min(runs[1], runs[2]));
        u64 hi = max(runs[0], max(runs[1], runs[2]));
        return runs[0] + runs[1] + runs[2] - lo - hi;
    };
    if (trusted_count > 0) {
        return median(trusted, trusted_count);
    }
    return any_count > 0 ? median(any, min<u32>(any_count, 3)) : 0;
}

} // namespace x86

namespace arch {

void init_clock(const BootInfo&) {
    tsc_hz = tsc_hz_from_cpuid();
    if (tsc_hz != 0) {
        return;
    }
    // Trustworthy 5 ms runs only: under emulation the host may stall the vCPU in the middle of
    // a port access, which makes that run's end (or start) unknown.
    constexpr u16 five_ms = x86::pit_hz / 200;
    u64 median = x86::measure_tsc_over_pit(five_ms, 20);
    // Without a PIT, guess 1 GHz: timestamps are then off, but nothing divides by zero.
    tsc_hz = median != 0 ? median * x86::pit_hz / five_ms : 1000000000;
}

u64 counter() { return x86::rdtsc(); }

u64 counter_frequency() { return tsc_hz; }

} // namespace arch
} // namespace keel
