// The task concern of the arch contract (framework/arch_contract.h): declared once here, defined
// by each framework/arch/<arch>/ folder. A task's saved machine state is TaskContext, which each
// arch lays out inside the same opaque words; the scheduler (framework/sched) only switches.
#pragma once

#include <keel/ktl/array.h>

#include "arch_contract.h"

namespace keel::arch {

struct alignas(16) TaskContext {
    Array<u64, 32> words{}; // the arch's saved stack pointer and callee-saved registers
};

// Prepares ctx so that the first switch to it runs entry(arg) on the stack whose top (highest
// address, exclusive) is stack_top, with interrupts masked. entry never returns.
void init_task_context(TaskContext& ctx, uptr stack_top, void (*entry)(void*), void* arg);

// Saves the running task's state in from and resumes to; returns when something switches back
// to from. Called with interrupts masked; they stay masked across the switch.
void switch_context(TaskContext& from, const TaskContext& to);

// Unmasks interrupts on this CPU (tasks run with them on).
void enable_interrupts();

// Tells the arch which stack the next task runs on (for trap entry's stack checks, e.g. the
// riscv trap block's stack limit). Called before each switch.
void set_current_stack(VirtRange stack);

} // namespace keel::arch
