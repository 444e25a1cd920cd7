// Tasks on each arch: spawn and join, many short tasks, two tasks ping-ponging through a wait
// queue, sleeping, preemption of a task that never yields, and a mutex under contention.
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/meminfo.h>
#include <keel/mutex.h>
#include <keel/task.h>
#include <keel/wait_queue.h>

#include "sched/scheduler.h"

namespace keel {
namespace {

constexpr u64 ms = 1000 * 1000;

KTEST(task, spawn_runs_the_body_and_join_waits_for_it) {
    u64 ran_as = 0;
    u64 boot = this_task::id();
    Result<TaskHandle> task = spawn("one", [&] { ran_as = this_task::id(); });
    KASSERT(task.ok());
    task.value().join();
    KEXPECT(task.value().finished());
    KEXPECT_EQ(ran_as, task.value().id());
    KEXPECT(ran_as != boot);
}

KTEST(task, a_thousand_short_tasks_are_created_and_joined) {
    constexpr usize count = 1000;
    u64 stacks_before = mem_info().kernel_stack_bytes;
    u32 total = 0;
    SpinLock lock;
    {
        Result<Box<Array<Optional<TaskHandle>, count>>> handles =
            make_box<Array<Optional<TaskHandle>, count>>();
        KASSERT(handles.ok());
        for (usize i = 0; i < count; ++i) {
            Result<TaskHandle> t = spawn("short", [&] {
                SpinLockGuard guard(lock);
                ++total;
            });
            KASSERT(t.ok());
            (*handles.value())[i] = move(t.value());
        }
        for (Optional<TaskHandle>& h : *handles.value()) {
            h->join();
        }
    }
    KEXPECT_EQ(total, u32{count});
    KEXPECT_EQ(mem_info().kernel_stack_bytes, stacks_before);
}

KTEST(task, two_tasks_ping_pong_through_a_wait_queue) {
    constexpr u32 rounds = 1000;
    WaitQueue queue;
    u32 turn = 0; // even: ping's turn; odd: pong's (under the queue's lock)
    u32 ping_rounds = 0;
    u32 pong_rounds = 0;
    auto player = [&](u32 parity, u32& rounds_played) {
        for (u32 i = 0; i < rounds; ++i) {
            queue.wait_until([&] { return turn % 2 == parity; });
            ++rounds_played;
            queue.notify_all([&] { ++turn; });
        }
    };
    u64 switches_before = sched::context_switches();
    Result<TaskHandle> ping = spawn("ping", [&] { player(0, ping_rounds); });
    Result<TaskHandle> pong = spawn("pong", [&] { player(1, pong_rounds); });
    KASSERT(ping.ok() && pong.ok());
    ping.value().join();
    pong.value().join();
    KEXPECT_EQ(turn, 2 * rounds);
    KEXPECT_EQ(ping_rounds, rounds);
    KEXPECT_EQ(pong_rounds, rounds);
    KEXPECT(sched::context_switches() - switches_before >= 2 * rounds);
}

KTEST(task, a_10ms_sleep_wakes_after_10ms_not_before) {
    u64 slept = 0;
    Result<TaskHandle> sleeper = spawn("sleeper", [&] {
        u64 start = clock::monotonic_ns();
        this_task::sleep_for(10 * ms);
        slept = clock::monotonic_ns() - start;
    });
    KASSERT(sleeper.ok());
    sleeper.value().join();
    KEXPECT(slept >= 10 * ms);
    KEXPECT(slept < 10 * ms + ktest::lost_after_ns);
}

KTEST(task, a_bounded_wait_ends_at_its_timeout_or_when_the_condition_holds) {
    WaitQueue queue;
    u64 start = clock::monotonic_ns();
    KEXPECT(!queue.wait_until_for([] { return false; }, 10 * ms));
    KEXPECT(clock::monotonic_ns() - start >= 10 * ms);

    bool ready = false;
    Result<TaskHandle> setter = spawn("setter", [&] {
        this_task::sleep_for(5 * ms);
        queue.notify_all([&] { ready = true; });
    });
    KASSERT(setter.ok());
    start = clock::monotonic_ns();
    KEXPECT(queue.wait_until_for([&] { return ready; }, 5000 * ms));
    KEXPECT(clock::monotonic_ns() - start < 5000 * ms);
    setter.value().join();
}

KTEST(task, a_task_that_never_yields_is_preempted) {
    bool flag = false;
    bool saw_flag = false;
    u64 preemptions_before = sched::preemptions();
    // Both on this CPU (the boot flow's, CPU 0), the spinner first: it never blocks, so only the
    // tick can let the setter run. Placed freely, the setter could run on another CPU.
    Result<TaskHandle> spinner = spawn_on(0, "spinner", [&] {
        u64 until = clock::monotonic_ns() + 2000 * ms;
        while (clock::monotonic_ns() < until) {
            if (__atomic_load_n(&flag, __ATOMIC_ACQUIRE)) {
                saw_flag = true;
                return;
            }
        }
    });
    Result<TaskHandle> setter =
        spawn_on(0, "setter", [&] { __atomic_store_n(&flag, true, __ATOMIC_RELEASE); });
    KASSERT(spinner.ok() && setter.ok());
    spinner.value().join();
    setter.value().join();
    KEXPECT(saw_flag);
    KEXPECT(sched::preemptions() > preemptions_before);
}

KTEST(task, a_mutex_keeps_a_shared_counter_exact) {
    constexpr u32 tasks = 4;
    constexpr u32 increments = 500;
    Mutex mutex;
    u32 counter = 0;
    Array<Optional<TaskHandle>, tasks> handles{};
    for (Optional<TaskHandle>& h : handles) {
        Result<TaskHandle> t = spawn("counter", [&] {
            for (u32 i = 0; i < increments; ++i) {
                MutexGuard guard(mutex);
                u32 seen = counter;
                if (i % 50 == 0) {
                    this_task::yield(); // give the others a chance to break a lock that is not one
                }
                counter = seen + 1;
            }
        });
        KASSERT(t.ok());
        h = move(t.value());
    }
    for (Optional<TaskHandle>& h : handles) {
        h->join();
    }
    KEXPECT_EQ(counter, tasks * increments);
}

// Fatal: a task's stack overflow is reported like the boot stack's, from its own guard page.
[[gnu::noinline]] u64 recurse_in_a_task(u64 depth) {
    Array<u64, 32> filler;
    for (usize i = 0; i < filler.size(); ++i) {
        filler[i] = depth + i;
    }
    if (__atomic_load_n(&filler[depth % 32], __ATOMIC_RELAXED) == ~u64{0}) {
        return 0; // never: the guard page is hit long before
    }
    return recurse_in_a_task(depth + 1) + filler[(depth + 3) % 32];
}

KTEST_FATAL(task_fault, stack_overflow_in_a_task) {
    Result<TaskHandle> task = spawn("overflow", [] { (void)recurse_in_a_task(0); });
    KASSERT(task.ok());
    task.value().join();
}

} // namespace
} // namespace keel
