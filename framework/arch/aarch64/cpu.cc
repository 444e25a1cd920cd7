#include <arch/cpu.h>

namespace keel::arch {

[[noreturn]] void halt() {
    for (;;) {
        // SAFETY: masks every exception and waits; nothing else changes.
        asm volatile("msr daifset, #0xf\n\twfi" ::: "memory");
    }
}

void disable_interrupts() {
    // SAFETY: masks IRQ and FIQ on this CPU.
    asm volatile("msr daifset, #0x3" ::: "memory");
}

// Naked, so x29 is still the caller's frame pointer: its frame record stays live while the
// caller walks it (a normal function would return its own, already popped, record).
[[gnu::naked]] uptr current_frame_pointer() {
    // SAFETY: reads x29 and returns; no stack is touched.
    asm("mov x0, x29\n\tret");
}

} // namespace keel::arch
