// aarch64: the task concern of the arch contract (arch/task.h).
//
// A TaskContext holds what AAPCS64 says a called function keeps: x19-x28, the frame pointer
// x29, the link register x30 and the stack pointer (SP_EL1). Everything else is either
// caller-saved (x0-x18, which switch_context's caller already gave up) or per CPU, not per task:
// SP_EL0 (the emergency stack, vectors.S), TPIDR, VBAR. The kernel is built with
// -mgeneral-regs-only, so there is no FP/SIMD state; DAIF is not switched either, because every
// switch happens with IRQs masked and the resumed side puts back its own saved mask.
//
// An interrupted task's registers are not here: the IRQ entry saved them in a TrapFrame on the
// task's own stack (vectors.S), and interrupt_exit switched from inside the handler; this
// context only records where that handler stopped.
#include <arch/cpu.h>
#include <arch/task.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"

namespace keel::arch {

namespace {
// The words of a TaskContext; switch_context's offsets below are these times 8.
constexpr usize word_x19 = 0; // x19..x28 in words 0..9, as pairs for stp/ldp
constexpr usize word_x29 = 10;
constexpr usize word_x30 = 11;
constexpr usize word_sp = 12;
constexpr usize words_used = 13;
static_assert(words_used <= sizeof(TaskContext::words) / sizeof(u64), "TaskContext too small");
static_assert(word_x29 * 8 == 80 && word_sp * 8 == 96, "the offsets in switch_context");
} // namespace

// The first instruction a new task runs, reached by switch_context's ret (x30 in the new
// context). x19 = arg, x20 = entry, x29 = 0, SP = the stack top. Masks IRQs again (switch_context
// runs masked, so this only makes the contract hold whatever the caller did), clears x30 and
// branches: entry's frame record is {0, 0}, so a backtrace taken in the task ends at entry.
extern "C" [[gnu::naked]] void keel_arch_task_start() {
    // SAFETY: runs only as the first code of a context init_task_context prepared, whose x19,
    // x20, x29 and SP it set; entry never returns (x30 = 0 would fault at address 0 if it did).
    asm("msr daifset, #0x3\n\t"
        "mov x0, x19\n\t"
        "mov x30, xzr\n\t"
        "br x20");
}

void init_task_context(TaskContext& ctx, uptr stack_top, void (*entry)(void*), void* arg) {
    ctx.words = {};
    // keel_arch_task_start calls the x20 word with the x19 word, as entry(arg): the same
    // pointers, only carried as numbers.
    ctx.words[word_x19] = address_of(arg);
    ctx.words[word_x19 + 1] = address_of(entry); // x20
    ctx.words[word_x29] = 0;
    ctx.words[word_x30] = address_of(&keel_arch_task_start);
    ctx.words[word_sp] = stack_top & ~uptr{15}; // AAPCS64: SP 16-byte aligned at a call
}

// Naked: x29/x30 saved are the caller's (schedule's) own frame pointer and return address, so a
// switched-out task's context is the top of its frame chain, and ret resumes the other task
// inside its own call of switch_context (or at keel_arch_task_start for a new one).
[[gnu::naked]] void switch_context(TaskContext& from, const TaskContext& to) {
    // SAFETY: x0 = from, x1 = to (both 16-byte aligned TaskContexts, words 0..12 used); saves
    // this task's callee-saved registers and SP, loads the other's, and returns on its stack.
    // IRQs are masked (the caller's duty), so nothing runs between the store and the load.
    asm("mov x9, sp\n\t"
        "stp x19, x20, [x0, #0]\n\t"
        "stp x21, x22, [x0, #16]\n\t"
        "stp x23, x24, [x0, #32]\n\t"
        "stp x25, x26, [x0, #48]\n\t"
        "stp x27, x28, [x0, #64]\n\t"
        "stp x29, x30, [x0, #80]\n\t"
        "str x9, [x0, #96]\n\t"
        "ldp x19, x20, [x1, #0]\n\t"
        "ldp x21, x22, [x1, #16]\n\t"
        "ldp x23, x24, [x1, #32]\n\t"
        "ldp x25, x26, [x1, #48]\n\t"
        "ldp x27, x28, [x1, #64]\n\t"
        "ldp x29, x30, [x1, #80]\n\t"
        "ldr x9, [x1, #96]\n\t"
        "mov sp, x9\n\t"
        "ret");
}

void enable_interrupts() {
    // SAFETY: unmasks IRQs on this CPU (FIQ, SError and debug stay as boot.S set them: masked;
    // the GIC signals IRQs only), the same bit wait_for_interrupt opens.
    asm volatile("msr daifclr, #0x2" ::: "memory");
}

// Nothing to do on aarch64: an IRQ's frame goes on whatever SP_EL1 is (the running task's
// stack), and faults move to this CPU's emergency stack (SP_EL0) before storing anything, so no
// trap path needs to know the task's stack. With user mode, the kernel stack to enter on from
// EL0 will be this stack's top.
void set_current_stack(VirtRange) {}

} // namespace keel::arch
