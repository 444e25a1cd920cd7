// The scheduler's inside: task records, the per-CPU run state, and the policy interface (a
// Policy decides which runnable task goes next; round-robin is the first). Tasks switch only in
// schedule(), with interrupts masked: when they block, yield or finish, and when the timer tick
// asks for preemption on the way out of an interrupt (interrupt_exit, called by the arch).
#pragma once

#include <keel/ktl/format.h>
#include <keel/ktl/optional.h>
#include <keel/task.h>
#include <keel/vm_space.h>
#include <keel/wait_queue.h>

#include <arch/task.h>

#include "mm/kernel_vm.h"

namespace keel::sched {

enum class State : u8 { runnable, running, blocked, finished };

struct TaskControl {
    u64 id = 0;
    FixedString<32> name;
    State state = State::runnable;
    arch::TaskContext context;
    Optional<mm::KernelStack> stack; // none for a CPU's boot task (it runs on the boot stack)
    VirtRange stack_range;
    Optional<Box<Runnable>> body;
    TaskControl* run_next = nullptr;  // the policy's run queue
    TaskControl* wait_next = nullptr; // a WaitQueue's sleepers
    WaitQueue exited;                 // joiners
    bool done = false;                // under exited's lock
    u32 refs = 1;                     // TaskHandles, plus one while the task can still run
    u32 cpu = 0;                      // the CPU whose run queue it is on (or ran on last)
    bool on_cpu = false;              // still switching out: nobody else may resume it yet
    bool pinned = false;              // stays on cpu: load balancing leaves it alone
    // The user address space this task runs (UserContext::run sets it): the switch to the task
    // makes it the CPU's user half, so user copies during a syscall reach the right process
    // after a preemption, and a CPU never keeps a space of a task that is not running there.
    VmSpace* user_space = nullptr;
};

class Policy {
public:
    virtual void enqueue(TaskControl& task) = 0;
    virtual TaskControl* pick_next() = 0; // null: nothing runnable
    // For load balancing: a runnable task that may move to another CPU, taken off the queue.
    virtual TaskControl* pick_movable() = 0;
    virtual usize runnable() const = 0;

protected:
    ~Policy() = default;
};

// Called once on the boot CPU after interrupts are set up: the running boot flow becomes this
// CPU's first task, an idle task and the preemption tick are created.
void init();

// On a secondary CPU, from smp: its boot flow becomes its idle task (on stack), with a tick.
void init_cpu(u32 index, VirtRange stack);
[[noreturn]] void run_idle();

// Switches to the next runnable task if there is one (the current one stays runnable unless it
// blocked or finished). Interrupts must be masked.
void schedule();

// Makes a blocked or new task runnable.
void wake(TaskControl& task);

TaskControl& current();
// A space being destroyed: the current task no longer runs it (its owner destroys it, from
// its own task or after that task ended).
void forget_user_space(const VmSpace& space);

// A new task record with its stack, not yet runnable; and dropping a reference to one.
Result<TaskControl*> create_task(StringView name, Box<Runnable> body);
void release(TaskControl* task);
// The CPU a new task starts on: the least loaded online one.
u32 place_new_task();

// The arch's interrupt return path calls this (interrupts masked, on the interrupted task's
// stack): if the tick asked for it, another task runs now.
void interrupt_exit();

// Statistics for tests and the boot log.
u64 context_switches();
u64 preemptions();

struct Access {
    static TaskControl* task(const TaskHandle& h) { return h.task_; }
    static TaskHandle handle(TaskControl* t) { return TaskHandle(t); }
};

} // namespace keel::sched
