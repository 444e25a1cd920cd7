// riscv64: the clock concern of the arch contract. The `time` CSR counts at the rate the device
// tree gives as /cpus/timebase-frequency (10 MHz on QEMU virt).
#include <arch/clock.h>

namespace keel::arch {

namespace {
constinit u64 frequency = 0;
} // namespace

void init_clock(const BootInfo& info) { frequency = info.platform.timebase_hz; }

u64 counter() {
    u64 ticks = 0;
    // SAFETY: rdtime only reads the time CSR (OpenSBI lets S-mode read it via mcounteren).
    asm volatile("rdtime %0" : "=r"(ticks));
    return ticks;
}

u64 counter_frequency() { return frequency; }

} // namespace keel::arch
