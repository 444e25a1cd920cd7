// The IDT and the C++ side of the trap stubs in entry.S. Vectors 0x20 and up are interrupts,
// handed to interrupts.cc and returned from, through the scheduler's interrupt_exit (where a
// preemption switches tasks). Traps from user mode never come here (entry.S sends them to
// user_mode.cc). A kernel #PF or #GP inside a user copy resumes at its fixup. Every other
// kernel exception is fatal: page faults (and the double
// faults a stack overflow turns them into) become a KernelFault for the generic report
// (fault.h), anything else prints vector, error code and where, and powers off with a failing
// status so a test run ends at once instead of hanging.
#include <keel/ktl/array.h>

#include <arch/power.h>
#include <arch/smp.h>

#include "address.h"
#include "backtrace.h"
#include "console/console.h"
#include "fault.h"
#include "mm/cpu_local.h"
#include "sched/scheduler.h"
#include "x86.h"

extern "C" const char keel_x86_trap_stubs[];

namespace keel::x86 {

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

constexpr usize idt_vectors = 256;
constexpr usize trap_stub_size = 16; // entry.S aligns each stub to 16 bytes
constexpr u8 interrupt_gate_present = 0x8e;
constexpr u8 interrupt_gate_present_user = 0xee; // DPL 3: INT3 from user mode may raise it
constexpr u64 vector_breakpoint = 3;
constexpr u64 vector_general_protection = 13;
constexpr u64 vector_double_fault = 8;
constexpr u64 vector_page_fault = 14;

// #PF error code (SDM vol. 3, 4.7).
constexpr u64 pf_protection = 1 << 0; // clear: the page was not present
constexpr u64 pf_write = 1 << 1;
constexpr u64 pf_fetch = 1 << 4;

constinit Array<IdtGate, idt_vectors> idt{};

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

// Per CPU: the fault being reported, for the trip to the emergency stack, and whether a report
// is under way, so a fault inside the report cannot recurse.
struct FaultState {
    KernelFault pending;
    bool reporting = false;
};
constinit Array<FaultState, max_cpus> cpu_faults{};
FaultState& this_cpu_fault() { return cpu_faults[arch::cpu_index()]; }

[[noreturn]] void print_trap_and_power_off(const TrapFrame& frame, StringView what) {
    if (console::current() != nullptr) {
        format(console::sink(), "\n*** {}: vector {} ({}), error {:#x}, rip {:#018x}", what,
               frame.vector, exception_name(frame.vector), frame.error_code, frame.rip);
        if (Optional<SymbolHit> hit = symbolize(frame.rip)) {
            format(console::sink(), " {}+{:#x}", hit->name, hit->offset);
        }
        format(console::sink(), ", rsp {:#x}, cr2 {:#x}\n", frame.rsp, read_cr2());
    }
    arch::power_off(1);
}

} // namespace
} // namespace keel::x86

// Runs on the emergency stack with an empty frame chain (entered by deliver_fault below).
extern "C" [[noreturn]] void keel_x86_report_pending_fault() {
    keel::report_kernel_fault(keel::x86::this_cpu_fault().pending);
}

namespace keel::x86 {
namespace {

// Hands a kernel fault to the generic report on this CPU's emergency stack. A page fault on a
// nearly exhausted stack would otherwise fault again inside the report; the emergency stack
// always has room. From #DF the CPU already switched to it (IST), so the report starts there.
[[noreturn]] void deliver_fault(const TrapFrame& frame, const KernelFault& fault,
                                bool on_emergency_stack) {
    FaultState& state = this_cpu_fault();
    if (state.reporting) {
        // The report itself faulted: its stack may be what broke. Say the least and stop.
        print_trap_and_power_off(frame, "fault while reporting a kernel fault");
    }
    state.reporting = true;
    state.pending = fault;
    if (on_emergency_stack) {
        keel_x86_report_pending_fault();
    }
    // SAFETY: the emergency stack belongs to this CPU and nothing runs on it (reporting was
    // clear); the report never returns, so abandoning the current stack loses nothing. rbp = 0
    // ends backtraces taken on the new stack; the call keeps the ABI's 16-byte alignment.
    asm volatile("movq %0, %%rsp\n\t"
                 "xorl %%ebp, %%ebp\n\t"
                 "call keel_x86_report_pending_fault"
                 :
                 : "r"(emergency_stack().end)
                 : "memory");
    __builtin_unreachable();
}

[[noreturn]] void page_fault(const TrapFrame& frame, uptr address) {
    FaultAccess access = FaultAccess::read;
    if ((frame.error_code & pf_fetch) != 0) {
        access = FaultAccess::execute;
    } else if ((frame.error_code & pf_write) != 0) {
        access = FaultAccess::write;
    }
    KernelFault fault{address,   frame.rip, frame.rsp,
                      frame.rbp, access,    (frame.error_code & pf_protection) != 0};
    deliver_fault(frame, fault, false);
}

// #DF arrives on the emergency stack. The usual cause in a kernel is a stack overflow: an
// access below the stack's end faults on the guard page, and pushing the #PF frame faults
// again right under the saved rsp, which the CPU escalates to #DF with CR2 = that push's
// address. Then it is reported as what it is, a page fault (a write, the page not present) of
// the context the frame describes. Any other #DF keeps the plain trap report.
[[noreturn]] void double_fault(const TrapFrame& frame, uptr cr2) {
    constexpr uptr frame_push_reach = 64; // the #PF frame is at most 48 bytes, plus alignment
    if (cr2 < frame.rsp && frame.rsp - cr2 <= frame_push_reach) {
        KernelFault fault{cr2, frame.rip, frame.rsp, frame.rbp, FaultAccess::write, false};
        deliver_fault(frame, fault, true);
    }
    print_trap_and_power_off(frame, "double fault");
}

} // namespace

void install_idt() {
    uptr stubs = address_of(keel_x86_trap_stubs);
    for (usize v = 0; v < idt_vectors; ++v) {
        uptr handler = stubs + v * trap_stub_size;
        idt[v] =
            IdtGate{static_cast<u16>(handler),
                    kernel_code_selector,
                    v == vector_double_fault ? ist_double_fault : u8{0},
                    v == vector_breakpoint ? interrupt_gate_present_user : interrupt_gate_present,
                    static_cast<u16>(handler >> 16),
                    static_cast<u32>(handler >> 32),
                    0};
    }
    load_idt();
}

void load_idt() {
    IdtPointer pointer{static_cast<u16>(sizeof(idt) - 1), address_of(idt.span().data())};
    // SAFETY: the table is a static in the kernel image that lives forever, and every gate
    // points at a stub in entry.S; the #DF gate's IST slot is set in the TSS (init_cpu_tables
    // runs first). Interrupt gates clear IF: handlers run masked.
    asm volatile("lidt %0" : : "m"(pointer));
}

} // namespace keel::x86

// Vectors 0x20 and up, with interrupts masked (interrupt gates), on the interrupted task's
// stack. Returns: entry.S then restores the frame and resumes the interrupted code with IRETQ.
// Once the interrupt is handled and ended (EOI), the scheduler may switch to another task
// (interrupt_exit: the tick asked for preemption, or a handler woke a task). This call then
// returns only when something switches back to the interrupted task, possibly much later; its
// frame waited on its own stack meanwhile, so the return is the same as an immediate one.
extern "C" void keel_x86_interrupt(const keel::x86::TrapFrame* frame) {
    using namespace keel::x86;
    if (features().smap) {
        // SAFETY: clears RFLAGS.AC for the handler: the CPU keeps it on interrupt entry, so an
        // interrupt inside user_access_begin/end would otherwise run with SMAP off. IRETQ
        // restores the interrupted code's AC.
        asm volatile("clac" : : : "memory");
    }
    handle_interrupt(frame->vector);
    if ((frame->cs & 3) == 0) { // always: entry.S sends user mode's to user_mode.cc
        keel::sched::interrupt_exit();
    }
}

// Exceptions in kernel mode (user mode's go to user_mode.cc). Returns only when the fault hit a
// user copy: entry.S then resumes at the fixup the frame now names.
extern "C" void keel_x86_trap(keel::x86::TrapFrame* frame) {
    using namespace keel::x86;
    // CR2 first: nothing before this may fault and overwrite it.
    keel::uptr cr2 = read_cr2();
    if (frame->vector == vector_page_fault || frame->vector == vector_general_protection) {
        if (keel::uptr fixup = user_copy_fixup(frame->rip)) {
            frame->rip = fixup;
            return;
        }
    }
    switch (frame->vector) {
    case vector_page_fault:
        page_fault(*frame, cr2);
    case vector_double_fault:
        double_fault(*frame, cr2);
    default:
        print_trap_and_power_off(*frame, "trap");
    }
}
