// ktests of the aarch64 task switch: a new context starts entry masked on its own stack with a
// frame chain that ends there; the callee-saved registers survive yields and every general
// register and NZCV survives preemption (a switch from inside the IRQ handler); a blocked task's
// context is the top of its frame chain; a task's backtrace ends at the generic task entry; a
// yield is timed. Fatal, each run alone: a task that recurses into its guard page, and an IRQ
// frame that lands in it, are both reported as a kernel stack overflow with a backtrace.
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/log.h>
#include <keel/task.h>
#include <keel/wait_queue.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/task.h>

#include "arch/aarch64/sysreg.h"
#include "backtrace.h"
#include "console/console.h"
#include "mm/kernel_vm.h"
#include "sched/scheduler.h"
#include "smp.h"

namespace keel::arch {
namespace {

constexpr u64 daif_irq_masked = u64{1} << 7; // PSTATE.I as DAIF reads it
constexpr u64 ms = 1000 * 1000;

// The pattern the assembly helpers below put in xN: N in bits 63:48, salted per task.
constexpr u64 pattern(u64 n, u64 salt) { return (n << 48) ^ salt; }

bool ends_with(StringView s, StringView suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool contains(StringView s, StringView part) {
    for (usize i = 0; i + part.size() <= s.size(); ++i) {
        if (s.substr(i, part.size()) == part) {
            return true;
        }
    }
    return false;
}

[[gnu::naked]] uptr stack_pointer() {
    // SAFETY: reads SP and returns.
    asm("mov x0, sp\n\tret");
}

// Fills x19-x28 with pattern(n, salt), calls fn(arg), and stores what x19-x28, x29 and SP hold
// afterwards in out[19..30]. x29 - SP is 96 in this frame.
[[gnu::naked]] void callee_saved_across(void (*fn)(void*), void* arg, u64 salt, u64* out) {
    // SAFETY: saves and restores every callee-saved register and its frame record; the patterns
    // live only between the save and the restore; SP stays 16-byte aligned; fn is a normal
    // AAPCS64 function, which must keep x19-x29 (the property under test).
    asm(R"(
        stp x29, x30, [sp, #-16]!
        mov x29, sp
        stp x19, x20, [sp, #-16]!
        stp x21, x22, [sp, #-16]!
        stp x23, x24, [sp, #-16]!
        stp x25, x26, [sp, #-16]!
        stp x27, x28, [sp, #-16]!
        stp x3, xzr, [sp, #-16]!
        mov x9, x0
        mov x0, x1
        .irp n, 19,20,21,22,23,24,25,26,27,28
        movz x\n, #\n, lsl #48
        eor x\n, x\n, x2
        .endr
        blr x9
        ldr x9, [sp]
        stp x19, x20, [x9, #152]
        stp x21, x22, [x9, #168]
        stp x23, x24, [x9, #184]
        stp x25, x26, [x9, #200]
        stp x27, x28, [x9, #216]
        mov x10, sp
        stp x29, x10, [x9, #232]
        add sp, sp, #16
        ldp x27, x28, [sp], #16
        ldp x25, x26, [sp], #16
        ldp x23, x24, [sp], #16
        ldp x21, x22, [sp], #16
        ldp x19, x20, [sp], #16
        ldp x29, x30, [sp], #16
        ret
    )");
}

// Fills x1-x28 with pattern(n, salt) and NZCV with N and V, then spins (IRQs as the caller has
// them) until *flag is non-zero or the counter passes deadline, touching only x0 and x30 and
// never the flags (ldr, cbnz, mrs, sub, tbz). Stores NZCV in out[0], x1-x29 in out[1..29], SP
// in out[30] and the flag in out[31] (0: timed out). x29 - SP is 112 in this frame.
[[gnu::naked]] void spin_with_patterns(const u32* flag, u64 salt, u64 deadline, u64* out) {
    // SAFETY: as callee_saved_across; the loop only reads *flag and the virtual counter.
    asm(R"(
        stp x29, x30, [sp, #-16]!
        mov x29, sp
        stp x19, x20, [sp, #-16]!
        stp x21, x22, [sp, #-16]!
        stp x23, x24, [sp, #-16]!
        stp x25, x26, [sp, #-16]!
        stp x27, x28, [sp, #-16]!
        sub sp, sp, #32
        stp x0, x2, [sp]
        str x3, [sp, #16]
        .irp n, 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28
        movz x\n, #\n, lsl #48
        eor x\n, x\n, x1
        .endr
        eor x1, x1, #0x1000000000000
        mov x0, #0x90000000
        msr nzcv, x0
    1:  ldr x30, [sp]
        ldr w30, [x30]
        cbnz w30, 2f
        mrs x30, cntvct_el0
        ldr x0, [sp, #8]
        sub x30, x0, x30
        tbz x30, #63, 1b
    2:  mrs x0, nzcv
        ldr x30, [sp, #16]
        stp x0, x1, [x30, #0]
        stp x2, x3, [x30, #16]
        stp x4, x5, [x30, #32]
        stp x6, x7, [x30, #48]
        stp x8, x9, [x30, #64]
        stp x10, x11, [x30, #80]
        stp x12, x13, [x30, #96]
        stp x14, x15, [x30, #112]
        stp x16, x17, [x30, #128]
        stp x18, x19, [x30, #144]
        stp x20, x21, [x30, #160]
        stp x22, x23, [x30, #176]
        stp x24, x25, [x30, #192]
        stp x26, x27, [x30, #208]
        stp x28, x29, [x30, #224]
        mov x0, sp
        ldr x1, [sp]
        ldr w1, [x1]
        stp x0, x1, [x30, #240]
        add sp, sp, #32
        ldp x27, x28, [sp], #16
        ldp x25, x26, [sp], #16
        ldp x23, x24, [sp], #16
        ldp x21, x22, [sp], #16
        ldp x19, x20, [sp], #16
        ldp x29, x30, [sp], #16
        ret
    )");
}

// --- the raw contract: init_task_context and switch_context without the scheduler -----------

struct RawProbe {
    TaskContext back;
    TaskContext self;
    void* arg = nullptr;
    u64 daif = 0;
    uptr sp = ~uptr{0};
    uptr record[2] = {1, 1}; // entry's own frame record {caller fp, return address}
};

void raw_entry(void* arg) {
    auto* p = static_cast<RawProbe*>(arg);
    p->arg = arg;
    // SAFETY: reading the interrupt mask has no side effects.
    p->daif = KEEL_READ_SYSREG(daif);
    p->sp = stack_pointer();
    uptr fp = current_frame_pointer();
    // SAFETY: fp is this function's live frame record (two words on this stack).
    p->record[0] = *reinterpret_cast<const uptr*>(fp);
    // SAFETY: the record's second word, on the same live frame.
    p->record[1] = *reinterpret_cast<const uptr*>(fp + sizeof(uptr));
    switch_context(p->self, p->back); // never resumed: the test drops this context
    halt();
}

KTEST(aarch64_task, a_new_context_runs_entry_masked_on_its_stack_with_an_ended_frame_chain) {
    static_assert(sizeof(TaskContext) == 32 * 8 && alignof(TaskContext) == 16);
    Result<mm::KernelStack> stack = mm::KernelStack::allocate();
    KASSERT(stack.ok());
    VirtRange range = stack.value().range();
    RawProbe probe;
    init_task_context(probe.self, range.end, &raw_entry, &probe);
    u64 saved = save_and_disable_interrupts();
    switch_context(probe.back, probe.self);
    restore_interrupts(saved);
    KEXPECT(probe.arg == &probe);
    KEXPECT((probe.daif & daif_irq_masked) != 0);
    KEXPECT(range.contains(probe.sp, 16));
    KEXPECT(range.end - probe.sp < 512); // entry's frame is the first on the stack
    KEXPECT_EQ(probe.sp % 16, uptr{0});
    KEXPECT_EQ(probe.record[0], uptr{0}); // the chain ends here: fp 0 ...
    KEXPECT_EQ(probe.record[1], uptr{0}); // ... and no return address
    // The test's own context was saved and came back: it runs on its own stack again.
    KEXPECT(sched::current().stack_range.contains(stack_pointer(), 16));
}

// --- through the scheduler ------------------------------------------------------------------

struct TaskSeen {
    u64 daif = daif_irq_masked;
    uptr sp = 0;
    VirtRange stack;
    uptr last_return = 0; // the outermost return address of the frame chain
    usize frames = 0;
    bool ended_cleanly = false; // at a {0, 0} record, on the task's stack
    FixedString<2048> backtrace;
};

[[gnu::noinline]] void walk_own_frame_chain(TaskSeen& s) {
    uptr fp = current_frame_pointer();
    for (usize i = 0; i < 64; ++i) {
        if (fp % 16 != 0 || !s.stack.contains(fp, 16)) {
            return; // left the task's stack: not a clean end
        }
        // SAFETY: a live frame record on this task's stack (checked).
        uptr caller = *reinterpret_cast<const uptr*>(fp);
        // SAFETY: the record's second word; the check above covered 16 bytes from fp.
        uptr ra = *reinterpret_cast<const uptr*>(fp + sizeof(uptr));
        if (ra == 0) {
            s.ended_cleanly = caller == 0;
            return;
        }
        s.last_return = ra;
        ++s.frames;
        fp = caller;
    }
}

KTEST(aarch64_task, a_task_runs_unmasked_on_its_stack_and_its_backtrace_ends_at_task_entry) {
    TaskSeen seen;
    Result<TaskHandle> task = spawn("probe", [&] {
        // SAFETY: reading the interrupt mask has no side effects.
        seen.daif = KEEL_READ_SYSREG(daif);
        seen.sp = stack_pointer();
        seen.stack = sched::current().stack_range;
        walk_own_frame_chain(seen);
        print_backtrace(seen.backtrace);
    });
    KASSERT(task.ok());
    task.value().join();
    KEXPECT_EQ(seen.daif & daif_irq_masked, u64{0}); // the generic entry unmasked
    KEXPECT(seen.stack.contains(seen.sp, 16));
    KEXPECT(seen.stack.end - seen.stack.base >= 4 * 4096);
    KEXPECT(seen.ended_cleanly);
    KEXPECT(seen.frames >= 2);
    Optional<SymbolHit> outer = symbolize(seen.last_return - 1);
    KASSERT(outer.has_value());
    if (!KEXPECT(ends_with(outer->name, "task_entry"))) {
        format(console::sink(), "  outermost frame: {}\n", outer->name);
    }
    // The printed backtrace (the one panics and fault reports print) ends at the same frame.
    StringView bt = seen.backtrace.view();
    while (!bt.empty() && bt[bt.size() - 1] == '\n') {
        bt = bt.substr(0, bt.size() - 1);
    }
    usize last_line = bt.size();
    while (last_line > 0 && bt[last_line - 1] != '\n') {
        --last_line;
    }
    if (!KEXPECT(contains(bt.substr(last_line), "task_entry+0x"))) {
        format(console::sink(), "{}\n", seen.backtrace.view());
    }
}

void yield_times(void* count) {
    for (u32 i = 0; i < *static_cast<u32*>(count); ++i) {
        this_task::yield();
    }
}

// Two yielding tasks per online CPU (at most max_yielders), bound in pairs, so every CPU
// has another task to switch to at each yield (a lone task's yield returns at once). They all
// wait at a gate until every one is spawned: the first would otherwise be done before the
// spawner got to its partner.
constexpr u32 max_yielders = 8;
u32 yielder_count() { return min(2 * smp::online_cpus(), max_yielders); }

struct Gate {
    WaitQueue queue;
    bool open = false; // under queue's lock
    void pass() {
        queue.wait_until([this] { return open; });
    }
    void release() {
        queue.notify_all([this] { open = true; });
    }
};

KTEST(aarch64_task, callee_saved_registers_survive_yields_between_tasks) {
    constexpr u64 salt_base = 0x0000'1234'5678'9abc;
    u32 rounds = 200;
    u32 n = yielder_count();
    Array<Array<u64, 32>, max_yielders> out{};
    Array<Optional<TaskHandle>, max_yielders> tasks{};
    Gate gate;
    u64 switches = sched::context_switches();
    for (u32 i = 0; i < n; ++i) {
        u64* o = out[i].span().data();
        u64 salt = salt_base ^ (u64{i} << 8);
        Result<TaskHandle> t = spawn_on(i % smp::online_cpus(), "regs", [&gate, &rounds, o, salt] {
            gate.pass();
            callee_saved_across(&yield_times, &rounds, salt, o);
        });
        KASSERT(t.ok());
        tasks[i] = move(t.value());
    }
    gate.release();
    for (u32 i = 0; i < n; ++i) {
        tasks[i]->join();
    }
    KEXPECT(sched::context_switches() - switches >= 2 * rounds);
    for (u32 i = 0; i < n; ++i) {
        u64 salt = salt_base ^ (u64{i} << 8);
        for (u64 r = 19; r <= 28; ++r) {
            if (!KEXPECT_EQ(out[i][r], pattern(r, salt))) {
                format(console::sink(), "  x{} of task {} changed across the yields\n", r, i);
            }
        }
        KEXPECT_EQ(out[i][29] - out[i][30], u64{96}); // x29 and SP came back to the same frame
    }
}

KTEST(aarch64_task, every_register_and_nzcv_survive_preemption) {
    constexpr u64 salt_a = 0x0000'0f0f'0f0f'0f0f;
    constexpr u64 salt_b = 0x0000'f0f0'f0f0'f0f0;
    u32 flag_a = 0;
    u32 flag_b = 0;
    Array<u64, 32> out_a{};
    Array<u64, 32> out_b{};
    u64 preemptions = sched::preemptions();
    u64 deadline = counter() + 3 * counter_frequency();
    // Neither ever blocks or yields while its registers hold the patterns: a runs first and
    // spins until b has run (only preemption lets it), b spins until a has run again (the same).
    // Both on one CPU: on two, each could spin on its own and never be preempted.
    Result<TaskHandle> a = spawn_on(0, "spin-a", [&] {
        spin_with_patterns(&flag_a, salt_a, deadline, out_a.span().data());
        __atomic_store_n(&flag_b, 1, __ATOMIC_RELEASE);
    });
    Result<TaskHandle> b = spawn_on(0, "spin-b", [&] {
        __atomic_store_n(&flag_a, 1, __ATOMIC_RELEASE);
        spin_with_patterns(&flag_b, salt_b, deadline, out_b.span().data());
    });
    KASSERT(a.ok() && b.ok());
    a.value().join();
    b.value().join();
    KEXPECT_EQ(out_a[31], u64{1}); // saw the flag, did not time out
    KEXPECT_EQ(out_b[31], u64{1});
    KEXPECT(sched::preemptions() - preemptions >= 2);
    for (u64 r = 1; r <= 28; ++r) {
        if (!KEXPECT_EQ(out_a[r], pattern(r, salt_a)) ||
            !KEXPECT_EQ(out_b[r], pattern(r, salt_b))) {
            format(console::sink(), "  x{} changed across a preemption\n", r);
        }
    }
    KEXPECT_EQ(out_a[0] & 0xf000'0000, u64{0x9000'0000}); // N and V set, Z and C clear
    KEXPECT_EQ(out_b[0] & 0xf000'0000, u64{0x9000'0000});
    KEXPECT_EQ(out_a[29] - out_a[30], u64{112});
    KEXPECT_EQ(out_b[29] - out_b[30], u64{112});
}

KTEST(aarch64_task, a_blocked_task_context_tops_its_frame_chain) {
    WaitQueue queue;
    bool go = false;
    Result<TaskHandle> task = spawn("blocked", [&] { queue.wait_until([&] { return go; }); });
    KASSERT(task.ok());
    sched::TaskControl* t = sched::Access::task(task.value());
    // It may run on another CPU: wait until it blocked and its switch away is over (on_cpu
    // clear: its context is saved).
    auto switched_out_blocked = [t] {
        sched::State state = sched::State::runnable;
        __atomic_load(&t->state, &state, __ATOMIC_ACQUIRE);
        return state == sched::State::blocked && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
    };
    u64 until = clock::monotonic_ns() + 2000 * ms;
    while (!switched_out_blocked() && clock::monotonic_ns() < until) {
        this_task::yield();
    }
    KASSERT(switched_out_blocked());
    const Array<u64, 32>& w = t->context.words;
    uptr sp = w[12];
    KEXPECT(t->stack_range.contains(sp, 16));
    KEXPECT_EQ(sp % 16, uptr{0});
    Optional<SymbolHit> resume = symbolize(w[11] - 1);
    KASSERT(resume.has_value());
    KEXPECT(resume->name == StringView("keel::sched::schedule"));
    // From the saved x29 the chain runs down the task's stack to the task entry and ends.
    uptr fp = w[10];
    uptr last = 0;
    bool clean = false;
    for (usize i = 0; i < 64 && t->stack_range.contains(fp, 16); ++i) {
        // SAFETY: a frame record on the blocked task's stack, which stays put while it sleeps.
        uptr caller = *reinterpret_cast<const uptr*>(fp);
        // SAFETY: the record's second word; the loop condition covered 16 bytes from fp.
        uptr ra = *reinterpret_cast<const uptr*>(fp + sizeof(uptr));
        if (ra == 0) {
            clean = caller == 0;
            break;
        }
        last = ra;
        fp = caller;
    }
    KEXPECT(clean);
    Optional<SymbolHit> outer = symbolize(last - 1);
    KEXPECT(outer.has_value() && ends_with(outer->name, "task_entry"));
    queue.notify_all([&] { go = true; });
    task.value().join();
}

KTEST(aarch64_task, a_yield_between_tasks_is_timed) {
    constexpr u32 rounds = 2000;
    u32 count = rounds;
    u32 n = yielder_count();
    Array<Optional<TaskHandle>, max_yielders> tasks{};
    Gate gate;
    for (u32 i = 0; i < n; ++i) {
        Result<TaskHandle> t = spawn_on(i % smp::online_cpus(), "yield", [&] {
            gate.pass();
            yield_times(&count);
        });
        KASSERT(t.ok());
        tasks[i] = move(t.value());
    }
    u64 switches = sched::context_switches();
    u64 start = clock::monotonic_ns();
    gate.release();
    for (u32 i = 0; i < n; ++i) {
        tasks[i]->join();
    }
    u64 elapsed = clock::monotonic_ns() - start;
    u64 done = sched::context_switches() - switches;
    KEXPECT(done >= rounds);
    log::info("aarch64 tasks: {} tasks, {} switches in {} us, {} ns each; {} switches, {} "
              "preemptions so far",
              n, done, elapsed / 1000, elapsed / (done > 0 ? done : 1), sched::context_switches(),
              sched::preemptions());
}

// --- fatal: each runs alone (ktest=aarch64_task.<name>) and ends the kernel with its report ----

// SAFETY: volatile only so that the compiler keeps every store and load of the recursion below
// (it must really use its stack); an ordinary global, touched by the one overflowing task.
constinit volatile u64 overflow_sink = 0;

[[gnu::noinline]] u64 task_recurse_forever(u64 depth) {
    // Filled here, not zero-initialized: a memset call would be what touches the guard first.
    Array<u64, 64> frame_filler;
    for (usize i = 0; i < frame_filler.size(); ++i) {
        frame_filler[i] = depth ^ i;
    }
    overflow_sink = depth;
    if (overflow_sink == ~u64{0}) {
        return 0; // never: the guard page is hit long before
    }
    return task_recurse_forever(depth + 1) + frame_filler[(depth + 1) % 64];
}

// A task's stack (mm::KernelStack, 16 KiB, guard page below) runs into its guard: the store
// faults, the synchronous vector moves to the emergency stack, and the report says "kernel stack
// overflow", names the guard below this task's stack and backtraces down to the task entry.
KTEST_FATAL(aarch64_task, stack_overflow_in_a_task) {
    Result<TaskHandle> task = spawn("overflow", [] { (void)task_recurse_forever(0); });
    KASSERT(task.ok());
    task.value().join();
    KEXPECT(false); // not reached
}

// Moves SP to sp (just above the guard page) and waits there with IRQs unmasked.
[[gnu::naked]] void wait_near_the_guard(uptr sp) {
    // SAFETY: deliberately leaves almost no stack: the next IRQ's frame runs into the guard page
    // and the fault report powers off; nothing returns here.
    asm(R"(
        stp x29, x30, [sp, #-16]!
        mov x29, sp
        mov sp, x0
        msr daifclr, #2
    1:  wfi
        b 1b
    )");
}

// The other way a task stack overflows on aarch64: the IRQ entry stores its frame (304 bytes) on
// the interrupted stack, here a task's with 128 bytes left. The store into the guard faults in
// the vector; the synchronous exception moves to the emergency stack and reports a kernel stack
// overflow at the IRQ vector, with the task's frame chain (x29 is still the interrupted one).
KTEST_FATAL(aarch64_task, irq_frame_overflows_a_task_stack) {
    Result<TaskHandle> task =
        spawn("low-stack", [] { wait_near_the_guard(sched::current().stack_range.base + 128); });
    KASSERT(task.ok());
    task.value().join();
    KEXPECT(false); // not reached
}

} // namespace
} // namespace keel::arch
