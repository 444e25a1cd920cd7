// ktests of the riscv64 task switch (task.cc, switch_context.S) and of preemption on the way
// out of an interrupt (trap.cc): what a new context looks like on its first instruction, which
// registers survive a yield and a preemption, sstatus.SUM per task, the trap block's stack limit
// per task, backtraces that end at the task's entry, and no switch from the emergency stack.
// The fatal one overflows a task's stack (run it alone: ktest=riscv64_fault.task_stack_overflow).
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/panic.h>
#include <keel/task.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/task.h>

#include "backtrace.h"
#include "csr.h"
#include "irq_entry.h"
#include "mm/cpu_local.h"
#include "mm/kernel_vm.h"
#include "sched/scheduler.h"
#include "smp.h"
#include "trap.h"

extern "C" keel::u64 keel_riscv_yield_with_patterns(keel::u64 seed, void (*between)(),
                                                    keel::u64 rounds);
extern "C" keel::u64 keel_riscv_spin_with_interrupts(const keel::u64* flag, keel::u64 until);

namespace keel::arch {
namespace {

bool ends_with(StringView text, StringView suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool contains(StringView text, StringView needle) {
    for (usize i = 0; i + needle.size() <= text.size(); ++i) {
        if (text.substr(i, needle.size()) == needle) {
            return true;
        }
    }
    return false;
}

// The last line of text, without its newline.
StringView last_line(StringView text) {
    usize end = text.size();
    if (end > 0 && text[end - 1] == '\n') {
        --end;
    }
    usize start = end;
    while (start > 0 && text[start - 1] != '\n') {
        --start;
    }
    return text.substr(start, end - start);
}

bool sum_set() { return (riscv::csr::read_sstatus() & riscv::csr::sstatus_sum) != 0; }
bool interrupts_on() { return (riscv::csr::read_sstatus() & riscv::csr::sstatus_sie) != 0; }

// --- a context's first run, without the scheduler ------------------------------------------------

struct FirstRun {
    TaskContext back;
    TaskContext task;
    u64 sstatus = 0;
    uptr frame = 0;
    uptr record_fp = ~uptr{0};
    uptr record_ra = ~uptr{0};
    uptr stack_limit = 0;
};

[[noreturn]] void first_entry(void* arg) {
    auto* run = static_cast<FirstRun*>(arg);
    run->sstatus = riscv::csr::read_sstatus();
    // SAFETY: only the frame's address is taken here; its record is read below.
    run->frame = reinterpret_cast<uptr>(__builtin_frame_address(0));
    // SAFETY: the record {caller's s0, ra} this function's prologue stored just below its frame.
    run->record_fp = *reinterpret_cast<const uptr*>(run->frame - 16);
    // SAFETY: as above, the record's second word.
    run->record_ra = *reinterpret_cast<const uptr*>(run->frame - 8);
    run->stack_limit = riscv::this_trap_cpu().stack_limit;
    switch_context(run->task, run->back);
    panic("riscv64 ktest: a finished first-run context was resumed");
}

KTEST(riscv64_task, a_new_context_starts_masked_on_its_stack_with_an_ended_frame_chain) {
    Result<mm::KernelStack> stack = mm::KernelStack::allocate();
    KASSERT(stack.ok());
    VirtRange range = stack.value().range();
    FirstRun run;
    init_task_context(run.task, range.end, &first_entry, &run);
    VirtRange mine = sched::current().stack_range;
    u64 saved = save_and_disable_interrupts();
    user_access_begin(); // SUM stays with this context; the new one starts without it
    set_current_stack(range);
    switch_context(run.back, run.task);
    set_current_stack(mine);
    bool sum_came_back = sum_set();
    user_access_end();
    restore_interrupts(saved);
    KEXPECT(sum_came_back);
    KEXPECT_EQ(run.sstatus & riscv::csr::sstatus_sie, u64{0});
    KEXPECT_EQ(run.sstatus & riscv::csr::sstatus_sum, u64{0});
    KEXPECT_EQ(run.frame, range.end); // entry's frame starts at the stack's top
    KEXPECT_EQ(run.record_fp, uptr{0});
    KEXPECT_EQ(run.record_ra, uptr{0});
    KEXPECT_EQ(run.stack_limit, range.base);
    KEXPECT_EQ(riscv::this_trap_cpu().stack_limit, mine.base);
}

// --- through the scheduler -------------------------------------------------------------------

KTEST(riscv64_task, callee_saved_registers_survive_yields) {
    // Two tasks per CPU: new tasks go to the least loaded CPU, so (with SMP) at least one CPU
    // runs two of them, which switch to each other on every yield.
    constexpr u64 rounds = 200;
    constexpr usize most = 16;
    usize count = min<usize>(2 * smp::online_cpus(), most);
    Array<u64, most> results{};
    Array<Optional<TaskHandle>, most> tasks{};
    bool go = false; // all start together, so that none is done before the last is spawned
    for (usize i = 0; i < count; ++i) {
        results[i] = ~u64{0};
        u64 seed = (i % 2 == 0 ? 0x7461736b00000000 : 0x6b65656c00010000) + (i << 8);
        Result<TaskHandle> t = spawn_on(static_cast<u32>(i % smp::online_cpus()), "patterns",
                                        [&results, &go, i, seed] {
                                            while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE)) {
                                                this_task::yield();
                                            }
                                            results[i] = keel_riscv_yield_with_patterns(
                                                seed, +[] { this_task::yield(); }, rounds);
                                        });
        KASSERT(t.ok());
        tasks[i] = move(t.value());
    }
    u64 switches_before = sched::context_switches();
    __atomic_store_n(&go, true, __ATOMIC_RELEASE);
    for (usize i = 0; i < count; ++i) {
        tasks[i]->join();
        KEXPECT_EQ(results[i], u64{0});
    }
    KEXPECT(sched::context_switches() - switches_before >= 2 * rounds);
}

KTEST(riscv64_task, every_register_survives_a_preemption_to_another_task) {
    // The spinner fills every register it can and spins with interrupts on until the flag is
    // set; only the other task sets it, so the spinner must be preempted, and resumed through
    // its interrupt frame after the other task ran (and clobbered the registers). Both on one
    // CPU: on two, each could run on its own and nothing would be preempted.
    u64 flag = 0;
    u64 spun = ~u64{0};
    u64 clobbered = ~u64{0};
    u64 preemptions_before = sched::preemptions();
    Result<TaskHandle> spinner = spawn_on(0, "spinner", [&] {
        spun = keel_riscv_spin_with_interrupts(&flag, counter() + 2 * counter_frequency());
    });
    Result<TaskHandle> setter = spawn_on(0, "setter", [&] {
        clobbered = keel_riscv_yield_with_patterns(
            0x5e77e5000000000, +[] {}, 1);
        __atomic_store_n(&flag, u64{1}, __ATOMIC_RELEASE);
    });
    KASSERT(spinner.ok() && setter.ok());
    spinner.value().join();
    setter.value().join();
    KEXPECT_EQ(spun, u64{0}); // ~0: never preempted; else the register that changed
    KEXPECT_EQ(clobbered, u64{0});
    KEXPECT(sched::preemptions() > preemptions_before);
}

KTEST(riscv64_task, user_access_state_travels_with_the_task) {
    bool a_kept_sum = false;
    bool a_kept_clear = false;
    bool b_started_clear = false;
    bool b_kept_clear = false;
    bool b_kept_sum = false;
    // Each yield below goes to the other task (the boot task waits in join).
    Result<TaskHandle> a = spawn("sum-a", [&] {
        user_access_begin();
        this_task::yield();
        a_kept_sum = sum_set();
        user_access_end();
        this_task::yield();
        a_kept_clear = !sum_set();
    });
    Result<TaskHandle> b = spawn("sum-b", [&] {
        b_started_clear = !sum_set();
        this_task::yield();
        b_kept_clear = !sum_set();
        user_access_begin();
        this_task::yield();
        b_kept_sum = sum_set();
        user_access_end();
    });
    KASSERT(a.ok() && b.ok());
    a.value().join();
    b.value().join();
    KEXPECT(a_kept_sum);
    KEXPECT(a_kept_clear);
    KEXPECT(b_started_clear);
    KEXPECT(b_kept_clear);
    KEXPECT(b_kept_sum);
    KEXPECT(!sum_set());
}

struct Walk {
    usize frames = 0;
    bool ended = false;   // reached a record with a null return address
    uptr end_record = 0;  // where that record is
    uptr last_return = 0; // the return address before it: into the task's first function
};

// Follows the frame records from this function's caller up while they stay on stack.
[[gnu::noinline]] Walk walk_frames(VirtRange stack) {
    Walk walk;
    uptr fp = current_frame_pointer();
    for (usize depth = 0; depth < 64; ++depth) {
        uptr record = fp + static_cast<uptr>(frame_record_offset);
        if (!stack.contains(record, 16)) {
            break;
        }
        // SAFETY: the record lies on the running task's stack (checked above).
        uptr caller_fp = *reinterpret_cast<const uptr*>(record);
        // SAFETY: as above.
        uptr return_address = *reinterpret_cast<const uptr*>(record + 8);
        if (return_address == 0) {
            walk.ended = caller_fp == 0;
            walk.end_record = record;
            break;
        }
        walk.last_return = return_address;
        ++walk.frames;
        fp = caller_fp;
    }
    return walk;
}

KTEST(riscv64_task, a_task_runs_unmasked_on_its_stack_and_backtraces_end_at_its_entry) {
    bool unmasked = false;
    bool on_its_stack = false;
    uptr limit = 0;
    VirtRange stack{};
    Walk walk;
    FixedString<2048> printed;
    Result<TaskHandle> t = spawn("walker", [&] {
        unmasked = interrupts_on(); // the generic entry unmasked them
        stack = sched::current().stack_range;
        limit = riscv::this_trap_cpu().stack_limit;
        // SAFETY: only the frame's address is used, as a number.
        on_its_stack = stack.contains(reinterpret_cast<uptr>(__builtin_frame_address(0)), 0);
        walk = walk_frames(stack);
        print_backtrace(printed, 32);
    });
    KASSERT(t.ok());
    t.value().join();
    KEXPECT(unmasked);
    KEXPECT(on_its_stack);
    KEXPECT_EQ(limit, stack.base);
    KEXPECT_EQ(riscv::this_trap_cpu().stack_limit, sched::current().stack_range.base);
    KEXPECT(walk.ended);
    KEXPECT_EQ(walk.end_record, stack.end - 16); // the first frame, at the stack's top
    KEXPECT(walk.frames >= 2);
    Optional<SymbolHit> entry = symbolize(walk.last_return - 1);
    KASSERT(entry.has_value());
    KEXPECT(ends_with(entry->name, "task_entry"));
    // The printed backtrace ends with the same frame.
    KEXPECT(contains(last_line(printed.view()), "task_entry+0x"));
}

KTEST(riscv64_task, an_interrupt_on_the_emergency_stack_never_switches_tasks) {
    // With SMP the other task may run on another CPU meanwhile: what counts is that it never
    // ran here, and (on one CPU, where the switch count is this CPU's) that nothing switched.
    bool other_ran = false;
    u32 other_cpu = ~u32{0};
    Result<TaskHandle> other = spawn("other", [&] {
        __atomic_store_n(&other_cpu, static_cast<u32>(this_cpu()), __ATOMIC_RELAXED);
        __atomic_store_n(&other_ran, true, __ATOMIC_RELEASE);
    });
    KASSERT(other.ok()); // runnable from now on: every tick asks for a switch
    riscv::TrapCpu& cpu = riscv::this_trap_cpu();
    VirtRange stack = sched::current().stack_range;
    u64 saved = save_and_disable_interrupts();
    u64 emergency_before = cpu.emergency_entries;
    u64 ticks_before = riscv::interrupt_counts().timer;
    u64 switches_before = sched::context_switches();
    // No room left on this stack, as far as trap entry knows: every interrupt is taken on the
    // emergency stack, where interrupt_exit must not be called.
    riscv::set_kernel_stack({stack.end, stack.end});
    enable_interrupts();
    u64 until = clock::monotonic_ns() + ktest::lost_after_ns;
    while (riscv::interrupt_counts().timer < ticks_before + 3 && clock::monotonic_ns() < until) {
    }
    disable_interrupts();
    riscv::set_kernel_stack(stack);
    u64 ticks = riscv::interrupt_counts().timer - ticks_before;
    u64 emergency = cpu.emergency_entries - emergency_before;
    u64 switches = sched::context_switches() - switches_before;
    bool ran_meanwhile = __atomic_load_n(&other_ran, __ATOMIC_ACQUIRE) &&
                         __atomic_load_n(&other_cpu, __ATOMIC_RELAXED) == this_cpu();
    restore_interrupts(saved);
    other.value().join();
    KEXPECT(ticks >= 3);
    KEXPECT(emergency >= ticks);
    if (smp::online_cpus() == 1) {
        KEXPECT_EQ(switches, u64{0});
    }
    KEXPECT(!ran_meanwhile);
    KEXPECT(other_ran);
    KEXPECT_EQ(cpu.stack_limit, stack.base);
}

KTEST(riscv64_task, switch_cost_is_measured) {
    // Tasks yield to each other: each yield is one switch (save and disable, schedule,
    // switch_context, restore). Two per CPU (see above), so that with SMP they still switch.
    // Logged for the record; only sanity is checked.
    constexpr u32 rounds = 2000;
    constexpr usize most = 16;
    usize count = min<usize>(2 * smp::online_cpus(), most);
    bool go = false; // all start together (see above)
    auto body = [&go] {
        while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE)) {
            this_task::yield();
        }
        for (u32 i = 0; i < rounds; ++i) {
            this_task::yield();
        }
    };
    Array<Optional<TaskHandle>, most> tasks{};
    for (usize i = 0; i < count; ++i) {
        Result<TaskHandle> t = spawn_on(static_cast<u32>(i % smp::online_cpus()), "yield", body);
        KASSERT(t.ok());
        tasks[i] = move(t.value());
    }
    u64 switches = sched::context_switches();
    u64 start = clock::monotonic_ns();
    __atomic_store_n(&go, true, __ATOMIC_RELEASE);
    for (usize i = 0; i < count; ++i) {
        tasks[i]->join();
    }
    u64 elapsed = clock::monotonic_ns() - start;
    u64 done = sched::context_switches() - switches;
    KEXPECT(done >= 2 * rounds);
    log::info("riscv64 tasks: {} tasks on {} CPUs: {} switches in {} us, {} ns each; {} "
              "switches, {} preemptions so far",
              count, smp::online_cpus(), done, elapsed / 1000, elapsed / (done > 0 ? done : 1),
              sched::context_switches(), sched::preemptions());
}

// --- fatal ---------------------------------------------------------------------------------------

constinit u64 overflow_sink = 0;

[[gnu::noinline]] u64 overflow_the_task_stack(u64 depth) {
    // Filled here, not zero-initialized: a memset call would be the first to touch the guard.
    Array<u64, 64> frame_filler;
    for (usize i = 0; i < frame_filler.size(); ++i) {
        frame_filler[i] = depth ^ i;
    }
    __atomic_store_n(&overflow_sink, depth, __ATOMIC_RELAXED);
    if (__atomic_load_n(&overflow_sink, __ATOMIC_RELAXED) == ~u64{0}) {
        return 0; // never: the guard page is hit long before
    }
    // Not a tail call: the result is used after the call returns.
    return overflow_the_task_stack(depth + 1) + frame_filler[(depth + 1) % 64];
}

// Must end with "KERNEL PANIC: kernel stack overflow: write at address ...", the guard page
// "below the kernel stack [base, end)" of the task, pc in overflow_the_task_stack, and a
// backtrace whose last frame is the task's entry.
KTEST_FATAL(riscv64_fault, task_stack_overflow) {
    Result<TaskHandle> t = spawn("overflow", [] { (void)overflow_the_task_stack(0); });
    KASSERT(t.ok());
    t.value().join();
}

} // namespace
} // namespace keel::arch
