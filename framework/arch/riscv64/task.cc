// riscv64: the task concern of the arch contract (arch/task.h). switch_context.S saves and loads
// the registers a call preserves (task_layout.h); a new task's context "returns" into
// keel_riscv_task_start, which calls entry(arg) with a frame-pointer chain that ends there. The
// trap entry learns each task's stack through set_current_stack (trap.h: the stack limit).
#include <arch/task.h>

#include "address.h"
#include "csr.h"
#include "task_layout.h"
#include "trap.h"

extern "C" void keel_riscv_switch_context(keel::arch::TaskContext& from,
                                          const keel::arch::TaskContext& to);
extern "C" const char keel_riscv_task_start[];

namespace keel::arch {

namespace {
constexpr usize word = sizeof(u64);
constexpr usize ra_word = TASK_RA / word;
constexpr usize sp_word = TASK_SP / word;
constexpr usize s0_word = TASK_S0 / word;
constexpr usize sstatus_word = TASK_SSTATUS / word;

static_assert(TASK_RA % word == 0 && TASK_SP % word == 0 && TASK_S0 % word == 0);
static_assert(TASK_S0 + 12 * word == TASK_SSTATUS);
static_assert(TASK_SSTATUS + word == TASK_CONTEXT_USED);
static_assert(TASK_CONTEXT_USED <= sizeof(TaskContext::words), "TaskContext is 32 words");
static_assert(TASK_SSTATUS_SUM == riscv::csr::sstatus_sum);
static_assert(__builtin_offsetof(TaskContext, words) == 0); // the assembly gets &ctx
} // namespace

void init_task_context(TaskContext& ctx, uptr stack_top, void (*entry)(void*), void* arg) {
    ctx.words = {};
    // Only the addresses are stored: switch_context returns into keel_riscv_task_start, which
    // calls the s1 word with the s2 word, as entry(arg).
    ctx.words[ra_word] = address_of(keel_riscv_task_start);
    ctx.words[sp_word] = stack_top & ~uptr{15}; // the psABI's 16-byte stack alignment
    ctx.words[s0_word + 0] = 0;                 // s0: the frame chain ends at entry
    ctx.words[s0_word + 1] = address_of(entry);
    ctx.words[s0_word + 2] = address_of(arg);
    ctx.words[sstatus_word] = 0; // SUM clear: no user access until the task asks for it
}

void switch_context(TaskContext& from, const TaskContext& to) {
    keel_riscv_switch_context(from, to);
}

void enable_interrupts() {
    // SAFETY: sets sstatus.SIE; every trap saves and restores the interrupted registers.
    asm volatile("csrs sstatus, %0" ::"r"(riscv::csr::sstatus_sie) : "memory");
}

void set_current_stack(VirtRange stack) { riscv::set_kernel_stack(stack); }

} // namespace keel::arch
