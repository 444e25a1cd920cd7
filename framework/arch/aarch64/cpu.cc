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

u64 save_and_disable_interrupts() {
    u64 daif = 0;
    // SAFETY: reads the mask bits, then masks IRQ and FIQ on this CPU.
    asm volatile("mrs %0, daif\n\tmsr daifset, #0x3" : "=r"(daif) : : "memory");
    return daif;
}

void restore_interrupts(u64 saved) {
    // SAFETY: puts back exactly the mask bits save_and_disable_interrupts read.
    asm volatile("msr daif, %0" ::"r"(saved) : "memory");
}

// Naked, so x29 is still the caller's frame pointer: its frame record stays live while the
// caller walks it (a normal function would return its own, already popped, record).
[[gnu::naked]] uptr current_frame_pointer() {
    // SAFETY: reads x29 and returns; no stack is touched.
    asm("mov x0, x29\n\tret");
}

} // namespace keel::arch
