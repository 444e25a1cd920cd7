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

u64 tsc_ticks_over_pit(u16 pit_ticks) {
    u8 saved = inb(port_system_control);
    outb(port_system_control, static_cast<u8>((saved & ~pit_speaker) | pit_gate2));
    outb(port_pit_command, pit_channel2_mode0_lohi);
    outb(port_pit_channel2, static_cast<u8>(pit_ticks));
    outb(port_pit_channel2, static_cast<u8>(pit_ticks >> 8));
    u64 start = rdtsc();
    // OUT2 rises when the count reaches zero. Bounded: a machine without a PIT must not hang.
    bool done = false;
    for (u32 spin = 0; spin < 10000000 && !done; ++spin) {
        done = (inb(port_system_control) & pit_out2) != 0;
    }
    u64 end = rdtsc();
    outb(port_system_control, saved);
    return done ? end - start : 0;
}

} // namespace x86

namespace arch {

void init_clock(const BootInfo&) {
    tsc_hz = tsc_hz_from_cpuid();
    if (tsc_hz != 0) {
        return;
    }
    // The median of three 5 ms runs: under emulation the host may preempt the vCPU in the
    // middle of one, which skews that run only.
    constexpr u16 five_ms = x86::pit_hz / 200;
    Array<u64, 3> runs{};
    for (u64& ticks : runs) {
        ticks = x86::tsc_ticks_over_pit(five_ms);
    }
    u64 lo = min(runs[0], min(runs[1], runs[2]));
    u64 hi = max(runs[0], max(runs[1], runs[2]));
    u64 median = runs[0] + runs[1] + runs[2] - lo - hi;
    // Without a PIT, guess 1 GHz: timestamps are then off, but nothing divides by zero.
    tsc_hz = median != 0 ? median * x86::pit_hz / five_ms : 1000000000;
}

u64 counter() { return x86::rdtsc(); }

u64 counter_frequency() { return tsc_hz; }

} // namespace arch
} // namespace keel
