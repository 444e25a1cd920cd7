// The C++ half of the x86_64 boot entry (entry.S calls keel_x86_boot), the early IDT, and the
// CPU concern of the arch contract.
#include <arch/cpu.h>
#include <arch/power.h>

#include "backtrace.h"
#include "boot/start.h"
#include "console/console.h"
#include "x86.h"

extern "C" const char keel_x86_early_trap_stubs[];

namespace keel {

namespace x86 {
// What entry.S's trap stubs leave on the stack: vector and error code, then the CPU's frame.
struct EarlyTrapFrame {
    u64 vector;
    u64 error_code;
    u64 rip;
    u64 cs;
    u64 rflags;
    u64 rsp;
    u64 ss;
};
} // namespace x86

namespace {

struct [[gnu::packed]] IdtGate {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_middle;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(IdtGate) == 16);

struct [[gnu::packed]] IdtPointer {
    u16 limit;
    u64 base;
};

constexpr usize early_vectors = 32;  // the exceptions; interrupts stay off until real traps
constexpr usize trap_stub_size = 16; // entry.S aligns each stub to 16 bytes
constexpr u16 kernel_code_selector = 0x08;
constexpr u8 interrupt_gate_present = 0x8e;

constinit Array<IdtGate, early_vectors> early_idt{};

StringView exception_name(u64 vector) {
    constexpr Array<StringView, 21> names{"#DE divide error",
                                          "#DB debug",
                                          "NMI",
                                          "#BP breakpoint",
                                          "#OF overflow",
                                          "#BR bound range",
                                          "#UD invalid opcode",
                                          "#NM no FPU",
                                          "#DF double fault",
                                          "coprocessor overrun",
                                          "#TS invalid TSS",
                                          "#NP segment not present",
                                          "#SS stack fault",
                                          "#GP general protection",
                                          "#PF page fault",
                                          "reserved",
                                          "#MF x87 error",
                                          "#AC alignment check",
                                          "#MC machine check",
                                          "#XM SIMD error",
                                          "#VE virtualization"};
    return vector < names.size() ? names[vector] : StringView("exception");
}

} // namespace

namespace x86 {

void install_early_idt() {
    uptr stubs = reinterpret_cast<uptr>(keel_x86_early_trap_stubs);
    for (usize v = 0; v < early_vectors; ++v) {
        uptr handler = stubs + v * trap_stub_size;
        early_idt[v] = IdtGate{static_cast<u16>(handler),
                               kernel_code_selector,
                               0,
                               interrupt_gate_present,
                               static_cast<u16>(handler >> 16),
                               static_cast<u32>(handler >> 32),
                               0};
    }
    IdtPointer pointer{static_cast<u16>(sizeof(early_idt) - 1),
                       reinterpret_cast<u64>(early_idt.span().data())};
    // SAFETY: the table is a static that lives forever, and every gate points at a stub in
    // entry.S that never returns to the faulting code.
    asm volatile("lidt %0" : : "m"(pointer));
}

} // namespace x86

namespace arch {

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

[[gnu::noinline]] uptr current_frame_pointer() {
    uptr caller_fp;
    // SAFETY: the kernel keeps frame pointers, so RBP points at this function's frame record,
    // whose first word is the caller's RBP: the frame that outlives this call.
    asm volatile("movq (%%rbp), %0" : "=r"(caller_fp));
    return caller_fp;
}

} // namespace arch
} // namespace keel

// An exception before the real trap handling exists: say what and where, then power off with a
// failing status so a test run ends at once instead of hanging.
extern "C" [[noreturn]] void keel_x86_early_trap(const keel::x86::EarlyTrapFrame* frame) {
    using namespace keel;
    if (console::current() != nullptr) {
        format(console::sink(), "\n*** early trap: vector {} ({}), error {:#x}, rip {:#018x}",
               frame->vector, exception_name(frame->vector), frame->error_code, frame->rip);
        if (Optional<SymbolHit> hit = symbolize(frame->rip)) {
            format(console::sink(), " {}+{:#x}", hit->name, hit->offset);
        }
        format(console::sink(), ", rsp {:#x}, cr2 {:#x}\n", frame->rsp, x86::read_cr2());
    }
    arch::power_off(1);
}

extern "C" [[noreturn]] void keel_x86_boot(keel::u32 protocol, keel::u64 info_phys) {
    using namespace keel;
    x86::install_early_idt();
    u64 apic_id = x86::cpuid(1).ebx >> 24;
    boot::start({protocol == 1 ? BootProtocol::Multiboot2 : BootProtocol::Pvh, info_phys, apic_id});
}
