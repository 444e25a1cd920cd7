// The generic timer's virtual counter (CNTVOFF is 0 at EL1 on QEMU, and boot.S sets it to 0
// when it leaves EL2), so counter() is the system count.
#include <arch/clock.h>

namespace keel::arch {

void init_clock(const BootInfo&) {}

u64 counter() {
    u64 value = 0;
    // SAFETY: isb keeps the read from being hoisted above earlier instructions.
    asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(value)::"memory");
    return value;
}

u64 counter_frequency() {
    u64 value = 0;
    // SAFETY: reads the firmware-set frequency register; no side effects.
    asm volatile("mrs %0, cntfrq_el0" : "=r"(value));
    return value;
}

} // namespace keel::arch
