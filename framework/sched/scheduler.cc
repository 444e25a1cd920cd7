#include "sched/scheduler.h"

#include <keel/clock.h>
#include <keel/log.h>
#include <keel/panic.h>
#include <keel/timer.h>

#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/smp.h>

#include "mm/cpu_local.h"
#include "smp.h"

namespace keel::sched {

namespace {
constexpr u64 time_slice_ns = 10 * 1000 * 1000;

// First come, first served among runnable tasks; a preempted task goes to the back.
class RoundRobin final : public Policy {
public:
    void enqueue(TaskControl& task) override {
        task.run_next = nullptr;
        if (tail_ != nullptr) {
            tail_->run_next = &task;
        } else {
            head_ = &task;
        }
        tail_ = &task;
        ++count_;
    }
    TaskControl* pick_next() override {
        if (head_ == nullptr) {
            return nullptr;
        }
        return take(nullptr, head_);
    }
    TaskControl* pick_movable() override {
        TaskControl* before = nullptr;
        for (TaskControl* t = head_; t != nullptr; before = t, t = t->run_next) {
            if (!t->pinned) {
                return take(before, t);
            }
        }
        return nullptr;
    }
    usize runnable() const override { return count_; }

private:
    // Unlinks t, which follows before (null: t is the head).
    TaskControl* take(TaskControl* before, TaskControl* t) {
        (before != nullptr ? before->run_next : head_) = t->run_next;
        if (tail_ == t) {
            tail_ = before;
        }
        t->run_next = nullptr;
        --count_;
        return t;
    }

    TaskControl* head_ = nullptr;
    TaskControl* tail_ = nullptr;
    usize count_ = 0;
};

struct Tick final : TimerCallback {
    void on_timer() override;
    Timer timer;
};

struct Cpu {
    SpinLock lock; // the run queue and current
    RoundRobin round_robin;
    Policy* policy = nullptr;
    TaskControl boot;
    TaskControl* current = nullptr;
    TaskControl* idle = nullptr;
    TaskControl* zombie = nullptr;        // finished, its stack still in use until the switch ends
    TaskControl* switched_from = nullptr; // its on_cpu is cleared once the switch is over
    bool need_resched = false;
    Tick tick;
};

constinit Array<Cpu, max_cpus> cpus{};
constinit u64 switches = 0;
constinit u64 preempted = 0;
constinit u64 next_id = 1;

Cpu& this_cpu_state() { return cpus[this_cpu()]; }

void Tick::on_timer() {
    Cpu& c = this_cpu_state();
    {
        SpinLockGuard guard(c.lock);
        c.need_resched = c.policy->runnable() > 0;
    }
    (void)timer.arm(clock::monotonic_ns() + time_slice_ns, *this);
}

void destroy(TaskControl* t) {
    t->~TaskControl();
    detail::heap_release(t);
}

void drop_ref(TaskControl* t) {
    if (__atomic_fetch_sub(&t->refs, 1, __ATOMIC_ACQ_REL) == 1) {
        destroy(t);
    }
}

// After a switch, on the new task's stack: the task that finished can give its stack back now.
void finish_switch() {
    Cpu& c = this_cpu_state();
    if (c.switched_from != nullptr) {
        __atomic_store_n(&c.switched_from->on_cpu, false, __ATOMIC_RELEASE);
        c.switched_from = nullptr;
    }
    TaskControl* zombie = c.zombie;
    c.zombie = nullptr;
    if (zombie != nullptr) {
        // Joiners wake only now, so that a joined task holds nothing any more (a test that
        // counts stacks after join sees the exact number, on any CPU).
        zombie->stack.reset();
        zombie->exited.notify_all([&] { zombie->done = true; });
        drop_ref(zombie);
    }
}

[[noreturn]] void exit_current() {
    TaskControl& t = current();
    t.body.reset();
    (void)arch::save_and_disable_interrupts();
    Cpu& c = this_cpu_state();
    {
        SpinLockGuard guard(c.lock);
        t.state = State::finished;
        c.zombie = &t;
    }
    schedule();
    panic("sched: finished task {} was scheduled again", t.id);
}

void task_entry(void* arg) {
    TaskControl* t = static_cast<TaskControl*>(arg);
    finish_switch();
    arch::enable_interrupts();
    (*t->body)->run();
    exit_current();
}

// Another CPU's runnable task, for a CPU with nothing to run: from the busiest queue. try_lock
// only, so two CPUs stealing from each other cannot deadlock.
TaskControl* steal(u32 self) {
    Cpu* busiest = nullptr;
    usize most = 0;
    for (u32 i = 0; i < max_cpus; ++i) {
        Cpu& other = cpus[i];
        if (i != self && other.policy != nullptr && other.policy->runnable() > most) {
            most = other.policy->runnable();
            busiest = &other;
        }
    }
    if (busiest == nullptr) {
        return nullptr;
    }
    u64 saved = 0;
    if (!busiest->lock.try_lock(saved)) {
        return nullptr;
    }
    TaskControl* t = busiest->policy->pick_movable();
    busiest->lock.unlock(saved);
    return t;
}

[[noreturn]] void idle_loop() {
    for (;;) {
        wait_for_interrupt();
        u64 saved = arch::save_and_disable_interrupts();
        schedule();
        arch::restore_interrupts(saved);
    }
}

Result<TaskControl*> create(StringView name, Optional<Box<Runnable>> body, void (*entry)(void*)) {
    void* memory = TRY(detail::heap_allocate(sizeof(TaskControl), alignof(TaskControl)));
    auto* t = new (memory) TaskControl();
    Result<mm::KernelStack> stack = mm::KernelStack::allocate();
    if (stack.is_error()) {
        destroy(t);
        return stack.error();
    }
    t->stack = move(stack.value());
    t->stack_range = t->stack->range();
    t->body = move(body);
    t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    t->name.write(name);
    arch::init_task_context(t->context, t->stack_range.end, entry, t);
    return t;
}
} // namespace

void release(TaskControl* task) { drop_ref(task); }

// The least loaded online CPU.
u32 place_new_task() {
    u32 best = static_cast<u32>(this_cpu());
    usize best_load = ~usize{0};
    for (u32 i = 0; i < max_cpus; ++i) {
        Cpu& c = cpus[i];
        if (c.policy == nullptr) {
            continue;
        }
        usize load = c.policy->runnable() + (c.current != c.idle ? 1 : 0);
        if (load < best_load) {
            best_load = load;
            best = i;
        }
    }
    return best;
}

Result<TaskControl*> create_task(StringView name, Box<Runnable> body) {
    return create(name, move(body), &task_entry);
}

void init_cpu(u32 index, VirtRange stack) {
    Cpu& c = cpus[index];
    c.policy = &c.round_robin;
    c.boot.id = 0;
    c.boot.name.write("idle");
    c.boot.state = State::running;
    c.boot.on_cpu = true;
    c.boot.pinned = true;
    c.boot.cpu = index;
    c.boot.stack_range = stack;
    c.boot.refs = 1;
    c.current = &c.boot;
    c.idle = &c.boot; // a secondary CPU's boot flow is its idle loop
    arch::set_current_stack(stack);
    (void)c.tick.timer.arm(clock::monotonic_ns() + time_slice_ns, c.tick);
}

void run_idle() { idle_loop(); }

void init() {
    Cpu& c = this_cpu_state();
    c.policy = &c.round_robin;
    c.boot.id = 0;
    c.boot.name.write("boot");
    c.boot.state = State::running;
    c.boot.stack_range = arch::boot_stack();
    c.boot.refs = 1; // never freed
    c.boot.on_cpu = true;
    // CPU 0's boot flow runs keel_main and the ktests, which test this CPU's interrupt
    // controller and timer: it stays here.
    c.boot.pinned = true;
    c.current = &c.boot;
    Result<TaskControl*> idle = create("idle", none, [](void*) {
        finish_switch();
        idle_loop();
    });
    if (idle.is_error()) {
        panic("sched: no memory for the idle task ({})", idle.error());
    }
    c.idle = idle.value();
    (void)c.tick.timer.arm(clock::monotonic_ns() + time_slice_ns, c.tick);
    log::info("sched: round-robin, {} ms time slice", time_slice_ns / 1000000);
}

TaskControl& current() {
    // Masked: a task preempted and moved to another CPU between reading this_cpu() and that
    // CPU's current would get the other CPU's task.
    u64 saved = arch::save_and_disable_interrupts();
    TaskControl* t = this_cpu_state().current;
    arch::restore_interrupts(saved);
    return *t;
}

void forget_user_space(const VmSpace& space) {
    u64 saved = arch::save_and_disable_interrupts();
    TaskControl* t = this_cpu_state().current;
    if (t != nullptr && t->user_space == &space) {
        t->user_space = nullptr;
    }
    arch::restore_interrupts(saved);
}

void schedule() {
    Cpu& c = this_cpu_state();
    TaskControl* prev = c.current;
    TaskControl* next = nullptr;
    {
        SpinLockGuard guard(c.lock);
        if (prev->state == State::running) {
            prev->state = State::runnable;
            if (prev != c.idle) {
                c.policy->enqueue(*prev);
            }
        }
        next = c.policy->pick_next();
        if (next == nullptr && prev->state != State::runnable) {
            next = steal(static_cast<u32>(this_cpu()));
        }
        if (next == nullptr) {
            next = prev->state == State::runnable ? prev : c.idle;
        }
        next->state = State::running;
        next->cpu = static_cast<u32>(this_cpu());
        c.current = next;
        c.need_resched = false;
    }
    if (next == prev) {
        return;
    }
    // A task woken elsewhere may still be finishing its switch out on its old CPU.
    while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE)) {
        smp::handle_ipi(); // masked here: a shootdown from that CPU must not wait on us
    }
    next->on_cpu = true;
    c.switched_from = prev;
    __atomic_fetch_add(&switches, 1, __ATOMIC_RELAXED);
    if (next->user_space != nullptr) {
        if (!next->user_space->is_active()) {
            next->user_space->activate();
        }
    } else if (prev->user_space != nullptr) {
        VmSpace::deactivate();
    }
    arch::set_current_stack(next->stack_range);
    arch::switch_context(prev->context, next->context);
    finish_switch();
}

void wake(TaskControl& task) {
    u32 target = task.cpu;
    Cpu& c = cpus[target];
    {
        SpinLockGuard guard(c.lock);
        if (task.state != State::blocked) {
            return;
        }
        task.state = State::runnable;
        c.policy->enqueue(task);
        c.need_resched = true;
    }
    if (target != this_cpu()) {
        arch::send_ipi(target); // its interrupt exit reschedules
    }
}

void interrupt_exit() {
    Cpu& c = this_cpu_state();
    if (c.policy == nullptr || !c.need_resched) {
        return;
    }
    __atomic_fetch_add(&preempted, 1, __ATOMIC_RELAXED);
    schedule();
}

u64 context_switches() { return __atomic_load_n(&switches, __ATOMIC_RELAXED); }
u64 preemptions() { return __atomic_load_n(&preempted, __ATOMIC_RELAXED); }

} // namespace keel::sched

namespace keel {

using sched::Access;
using sched::TaskControl;

TaskHandle::TaskHandle(const TaskHandle& other) : task_(other.task_) {
    if (task_ != nullptr) {
        __atomic_fetch_add(&task_->refs, 1, __ATOMIC_RELAXED);
    }
}

TaskHandle& TaskHandle::operator=(const TaskHandle& other) {
    TaskHandle copy(other);
    swap(task_, copy.task_);
    return *this;
}

TaskHandle& TaskHandle::operator=(TaskHandle&& other) noexcept {
    swap(task_, other.task_);
    return *this;
}

TaskHandle::~TaskHandle() {
    if (task_ != nullptr) {
        sched::release(task_);
    }
}

void TaskHandle::join() const {
    TaskControl* t = task_;
    t->exited.wait_until([t] { return t->done; });
}

bool TaskHandle::finished() const { return __atomic_load_n(&task_->done, __ATOMIC_ACQUIRE); }
u64 TaskHandle::id() const { return task_->id; }

namespace {
Result<TaskHandle> start(StringView name, Box<Runnable> body, Optional<u32> cpu) {
    TaskControl* t = TRY(sched::create_task(name, move(body)));
    t->refs = 2; // this handle, and the running task until it finishes
    t->state = sched::State::blocked;
    t->pinned = cpu.has_value();
    t->cpu = cpu ? *cpu : sched::place_new_task();
    sched::wake(*t);
    return Access::handle(t);
}
} // namespace

Result<TaskHandle> spawn(StringView name, Box<Runnable> body) {
    return start(name, move(body), none);
}

Result<TaskHandle> spawn_on(u32 cpu, StringView name, Box<Runnable> body) {
    if (!smp::is_online(cpu)) {
        return Errno::einval;
    }
    return start(name, move(body), cpu);
}

namespace this_task {

void yield() {
    u64 saved = arch::save_and_disable_interrupts();
    sched::schedule();
    arch::restore_interrupts(saved);
}

void sleep_for(u64 ns) {
    struct Alarm final : TimerCallback {
        void on_timer() override {
            queue.notify_all([this] { rang = true; });
        }
        WaitQueue queue;
        bool rang = false;
    } alarm;
    Timer timer;
    if (timer.arm(clock::monotonic_ns() + ns, alarm).is_error()) {
        return;
    }
    alarm.queue.wait_until([&] { return alarm.rang; });
}

u64 id() { return sched::current().id; }

} // namespace this_task

// WaitQueue's sleeping half: the caller holds the lock (saved is the interrupt state from
// before it); the task parks itself and the lock is dropped with interrupts still masked, so no
// wake can slip in before the switch.
void WaitQueue::sleep_locked(u64 saved) {
    TaskControl& t = sched::current();
    t.state = sched::State::blocked;
    t.wait_next = nullptr;
    if (tail_ != nullptr) {
        tail_->wait_next = &t;
    } else {
        head_ = &t;
    }
    tail_ = &t;
    u64 masked = arch::save_and_disable_interrupts();
    lock_.unlock(masked);
    sched::schedule();
    arch::restore_interrupts(saved);
}

void WaitQueue::wake_locked(bool all) {
    while (head_ != nullptr) {
        TaskControl* t = head_;
        head_ = t->wait_next;
        if (head_ == nullptr) {
            tail_ = nullptr;
        }
        t->wait_next = nullptr;
        sched::wake(*t);
        if (!all) {
            return;
        }
    }
}

} // namespace keel
