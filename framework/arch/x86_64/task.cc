// The task concern of the arch contract on x86_64 (arch/task.h). A TaskContext's words hold
// RSP, RBX, RBP, R12-R15 and RFLAGS (task_layout.h); task_switch.S saves and loads them. Every
// other register is either caller-saved (switch_context is an ordinary call: the compiler keeps
// what it needs on the stack) or not used by the kernel (no SSE/x87; FS/GS and CR3 are the
// same for every task until user mode).
#include <arch/task.h>

#include <keel/panic.h>

#include "address.h"
#include "task_layout.h"
#include "x86.h"

extern "C" void keel_x86_switch_context(keel::u64* from, const keel::u64* to);
extern "C" const char keel_x86_task_start[];

namespace keel::arch {

namespace {
constexpr usize slot(usize offset) { return offset / sizeof(u64); }
static_assert(TASK_CONTEXT_SIZE <= sizeof(TaskContext::words), "the context outgrew its words");
static_assert(TASK_CONTEXT_RFLAGS + sizeof(u64) == TASK_CONTEXT_SIZE);
static_assert(alignof(TaskContext) >= sizeof(u64));

constexpr u64 rflags_reserved = u64{1} << 1; // reads as 1; IF, DF and AC clear
constexpr u64 rflags_if = u64{1} << 9;
constexpr uptr abi_stack_alignment = 16;
} // namespace

void init_task_context(TaskContext& ctx, uptr stack_top, void (*entry)(void*), void* arg) {
    uptr top = stack_top & ~(abi_stack_alignment - 1);
    // SAFETY: the two words right below top belong to the new task's stack, which is mapped and
    // which nothing runs on yet. The upper one is entry's return address: none, so that the
    // frame record entry's prologue builds below it is {0, 0} and backtraces end there; the
    // lower one is where the first switch_context to ctx returns (task_switch.S).
    auto* stack = reinterpret_cast<u64*>(top);
    stack[-1] = 0;
    stack[-2] = address_of(keel_x86_task_start);
    ctx.words = {};
    ctx.words[slot(TASK_CONTEXT_RSP)] = top - 2 * sizeof(u64);
    ctx.words[slot(TASK_CONTEXT_RBP)] = 0;
    // keel_x86_task_start calls r12 with r13 as entry(arg): the same pointers, as numbers.
    ctx.words[slot(TASK_CONTEXT_R12)] = address_of(entry);
    ctx.words[slot(TASK_CONTEXT_R13)] = address_of(arg);
    // entry starts with interrupts masked (and DF, AC clear) whatever its first switcher had.
    ctx.words[slot(TASK_CONTEXT_RFLAGS)] = rflags_reserved;
}

void switch_context(TaskContext& from, const TaskContext& to) {
    if ((x86::read_rflags() & rflags_if) != 0) {
        // An interrupt between the save and the load would run on a half-switched CPU.
        panic("switch_context with interrupts enabled");
    }
    // SAFETY: both contexts are live (from is the running task's, to was saved by this function
    // or made by init_task_context) and interrupts are masked, as task_switch.S requires.
    keel_x86_switch_context(from.words.span().data(), to.words.span().data());
}

void enable_interrupts() {
    // SAFETY: the caller is done with whatever needed interrupts masked (a new task's entry,
    // after the switch has finished).
    asm volatile("sti" : : : "memory");
}

// Nothing to tell the CPU yet: interrupts and exceptions taken in kernel mode stay on the
// running stack (no stack switch at the same privilege level; #DF alone goes to IST1, the
// emergency stack, whatever the task), and the guard-page checks of the fault report ask mm
// which stack an address belongs to. TSS.RSP0, the stack a trap from user mode starts on, will
// be set from here when user mode comes.
void set_current_stack(VirtRange) {}

} // namespace keel::arch
