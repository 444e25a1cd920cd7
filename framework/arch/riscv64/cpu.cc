// riscv64: the CPU concern of the arch contract.
#include <arch/cpu.h>

namespace keel::arch {

namespace {
constexpr u64 sstatus_sie = 1 << 1;
} // namespace

void disable_interrupts() {
    // SAFETY: clearing sstatus.SIE only masks interrupts for this hart.
    asm volatile("csrc sstatus, %0" ::"r"(sstatus_sie) : "memory");
}

u64 save_and_disable_interrupts() {
    u64 saved = 0;
    // SAFETY: reads and clears sstatus.SIE in one instruction; nothing else changes.
    asm volatile("csrrc %0, sstatus, %1" : "=r"(saved) : "r"(sstatus_sie) : "memory");
    return saved & sstatus_sie;
}

void restore_interrupts(u64 saved) {
    // SAFETY: sets SIE back only if it was set when saved.
    asm volatile("csrs sstatus, %0" ::"r"(saved & sstatus_sie) : "memory");
}

[[noreturn]] void halt() {
    disable_interrupts();
    for (;;) {
        // SAFETY: wfi only waits; with SIE clear no handler runs when it wakes.
        asm volatile("wfi");
    }
}

// Not inlined: the backtrace starts from this function's own frame record, whose caller link
// leads to print_backtrace and on up the stack.
[[gnu::noinline]] uptr current_frame_pointer() {
    uptr fp = 0;
    // SAFETY: reads s0, the frame pointer (-fno-omit-frame-pointer keeps it one).
    asm volatile("mv %0, s0" : "=r"(fp));
    return fp;
}

} // namespace keel::arch
