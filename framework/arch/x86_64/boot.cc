// The C++ half of the x86_64 boot entry (entry.S calls keel_x86_boot) and the CPU concern of
// the arch contract.
#include <arch/cpu.h>
#include <arch/power.h>

#include "boot/start.h"
#include "x86.h"

namespace keel::arch {

void halt() {
    for (;;) {
        // SAFETY: stopping this CPU with interrupts off is what halt() promises.
        asm volatile("cli; hlt");
    }
}

void disable_interrupts() {
    // SAFETY: masking interrupts cannot break an invariant; it only delays their delivery.
    asm volatile("cli" : : : "memory");
}

u64 save_and_disable_interrupts() {
    u64 flags = 0;
    // SAFETY: reads RFLAGS, then masks interrupts; the stack use is balanced.
    asm volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

void restore_interrupts(u64 saved) {
    constexpr u64 rflags_if = 1 << 9;
    if ((saved & rflags_if) != 0) {
        // SAFETY: re-enables interrupts only if they were enabled when saved.
        asm volatile("sti" : : : "memory");
    }
}

[[gnu::noinline]] uptr current_frame_pointer() {
    uptr caller_fp;
    // SAFETY: the kernel keeps frame pointers, so RBP points at this function's frame record,
    // whose first word is the caller's RBP: the frame that outlives this call.
    asm volatile("movq (%%rbp), %0" : "=r"(caller_fp));
    return caller_fp;
}

} // namespace keel::arch

extern "C" [[noreturn]] void keel_x86_boot(keel::u32 protocol, keel::u64 info_phys) {
    using namespace keel;
    // Before anything can fault: the CPU's own GDT, TSS and IDT in the higher half (the boot
    // GDT sits in low memory that the kernel's page tables will not map), then the features
    // paging relies on.
    x86::init_cpu_tables();
    x86::install_idt();
    x86::init_cpu_features();
    u64 apic_id = x86::cpuid(1).ebx >> 24;
    boot::start({protocol == 1 ? BootProtocol::Multiboot2 : BootProtocol::Pvh, info_phys, apic_id});
}
