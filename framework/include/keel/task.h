// Kernel tasks: each runs a body on its own stack (with an unmapped guard page below), scheduled
// preemptively on the timer. spawn() starts one; the TaskHandle it returns can join it. Tasks
// sleep and wake through WaitQueue (keel/wait_queue.h) and this_task::sleep_for.
#pragma once

#include <keel/box.h>
#include <keel/ktl/string_view.h>

namespace keel {

namespace sched {
struct TaskControl;
struct Access;
} // namespace sched

// A task's body, owned by the task.
class Runnable {
public:
    virtual void run() = 0;
    virtual ~Runnable() = default;
};

class TaskHandle {
public:
    TaskHandle(const TaskHandle& other);
    TaskHandle& operator=(const TaskHandle& other);
    TaskHandle(TaskHandle&& other) noexcept : task_(other.task_) { other.task_ = nullptr; }
    TaskHandle& operator=(TaskHandle&& other) noexcept;
    ~TaskHandle();

    // Sleeps until the task's body has returned.
    void join() const;
    bool finished() const;
    u64 id() const;

private:
    friend struct sched::Access;
    explicit TaskHandle(sched::TaskControl* task) : task_(task) {}
    sched::TaskControl* task_;
};

namespace detail {
template <typename F>
Result<Box<Runnable>> make_runnable(F&& function) {
    struct Closure final : Runnable {
        explicit Closure(F&& f) : f_(forward<F>(f)) {}
        void run() override { f_(); }
        RemoveCvRef<F> f_;
    };
    Box<Closure> closure = TRY(make_box<Closure>(forward<F>(function)));
    return Box<Runnable>(move(closure));
}
} // namespace detail

// Starts body on a new task, on the least loaded CPU; load balancing may move it later. ENOMEM
// when no stack or memory is left.
Result<TaskHandle> spawn(StringView name, Box<Runnable> body);

// The task outlives the caller's frame, so the function must own what it uses: the gate
// (owned_callable) rejects lambdas that capture by reference, `this` or a pointer.
template <typename F>
[[clang::annotate("keel::owned_callable")]] Result<TaskHandle> spawn(StringView name,
                                                                     F&& function) {
    return spawn(name, TRY(detail::make_runnable(forward<F>(function))));
}

// The same, bound to one CPU for its whole life (per-CPU work, and tests that need to know
// where they run). EINVAL when that CPU is not online.
Result<TaskHandle> spawn_on(u32 cpu, StringView name, Box<Runnable> body);

template <typename F>
[[clang::annotate("keel::owned_callable")]] Result<TaskHandle> spawn_on(u32 cpu, StringView name,
                                                                        F&& function) {
    return spawn_on(cpu, name, TRY(detail::make_runnable(forward<F>(function))));
}

namespace this_task {
// Lets another runnable task run first.
void yield();
// Sleeps at least ns nanoseconds of the monotonic clock.
void sleep_for(u64 ns);
u64 id();
} // namespace this_task

} // namespace keel
