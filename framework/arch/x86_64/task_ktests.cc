// ktests of the x86_64 task switch (task.cc, task_switch.S) and of the preemption on the way out
// of an interrupt (traps.cc): how a new context starts, what survives a switch (the callee-saved
// registers, RFLAGS.AC per task), every register of a task preempted by the tick, where a
// task's frame chain ends, and what a switch costs. The fatal one overflows a task's stack.
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/panic.h>
#include <keel/task.h>

#include <arch/cpu.h>
#include <arch/power.h>
#include <arch/task.h>

#include "address.h"
#include "backtrace.h"
#include "console/console.h"
#include "mm/kernel_vm.h"
#include "sched/scheduler.h"
#include "smp.h"
#include "x86.h"

extern "C" keel::u64 keel_x86_switch_with_patterns(keel::u64 seed, void (*yield)());

// A named namespace, not an anonymous one: the backtrace test looks for these names.
namespace keel::x86::task_ktests {

constexpr u64 rflags_if = u64{1} << 9;
constexpr u64 rflags_df = u64{1} << 10;
constexpr u64 rflags_ac = u64{1} << 18;

bool contains(StringView text, StringView needle) {
    for (usize i = 0; i + needle.size() <= text.size(); ++i) {
        if (text.substr(i, needle.size()) == needle) {
            return true;
        }
    }
    return false;
}

// Only RFLAGS.AC changes, which at CPL 0 means "SMAP lets user pages through" (CR0.AM's
// alignment checks apply to CPL 3 only); the stack use is balanced.
void set_ac() {
    // SAFETY: pushes RFLAGS, sets AC in it and pops it back: one word, balanced, below rsp,
    // where -mno-red-zone keeps nothing; only RFLAGS.AC and the arithmetic flags ("cc") change.
    asm volatile("pushfq; orq %0, (%%rsp); popfq" : : "i"(rflags_ac) : "memory", "cc");
}
void clear_ac() {
    // SAFETY: as set_ac, clearing AC instead.
    asm volatile("pushfq; andq %0, (%%rsp); popfq" : : "i"(~rflags_ac) : "memory", "cc");
}

// --- a context made by init_task_context, switched to directly (no scheduler) -----------------

struct FirstSwitch {
    arch::TaskContext caller;
    arch::TaskContext task;
    u64 rflags = 0;
    uptr frame = 0;
    uptr record_fp = 1;
    uptr record_ra = 1;
    void* arg = nullptr;
};

[[noreturn]] void first_entry(void* arg) {
    auto* s = static_cast<FirstSwitch*>(arg);
    s->rflags = read_rflags();
    s->arg = arg;
    s->frame = address_of(__builtin_frame_address(0));
    // SAFETY: this function's frame record: {caller's RBP, return address}, on this stack.
    s->record_fp = reinterpret_cast<const uptr*>(s->frame)[0];
    // SAFETY: the record's second word, on the same live frame.
    s->record_ra = reinterpret_cast<const uptr*>(s->frame)[1];
    arch::switch_context(s->task, s->caller);
    panic("x86_task: a finished test context was resumed");
}

KTEST(x86_task, a_new_context_starts_masked_on_an_aligned_stack_with_a_closed_frame_chain) {
    Result<mm::KernelStack> stack = mm::KernelStack::allocate();
    KASSERT(stack.ok());
    VirtRange range = stack.value().range();
    FirstSwitch s;
    arch::init_task_context(s.task, range.end, &first_entry, &s);
    u64 saved = arch::save_and_disable_interrupts();
    set_ac(); // the new context must not inherit it; this one must get it back
    arch::switch_context(s.caller, s.task);
    u64 back = read_rflags();
    clear_ac();
    arch::restore_interrupts(saved);

    KEXPECT(s.arg == &s);
    KEXPECT_EQ(s.rflags & (rflags_if | rflags_df | rflags_ac), u64{0});
    KEXPECT((back & rflags_ac) != 0);
    KEXPECT_EQ(back & rflags_if, u64{0});
    // entry ran at the top of its stack, as if called there: RSP = 8 mod 16 at the call, so its
    // frame record (after PUSH RBP) is 16-aligned, right below the null return address.
    KEXPECT_EQ(s.frame, range.end - 16);
    KEXPECT_EQ(s.frame % 16, uptr{0});
    KEXPECT_EQ(s.record_fp, uptr{0});
    KEXPECT_EQ(s.record_ra, uptr{0});
}

KTEST(x86_task, a_task_body_runs_with_interrupts_on_after_the_generic_entry) {
    u64 rflags = 0;
    Result<TaskHandle> t = spawn("rflags", [&] { rflags = read_rflags(); });
    KASSERT(t.ok());
    t.value().join();
    KEXPECT((rflags & rflags_if) != 0);
    KEXPECT_EQ(rflags & (rflags_df | rflags_ac), u64{0});
}

// --- what survives a switch -----------------------------------------------------------------

extern "C" void keel_x86_ktest_yield() { this_task::yield(); }

KTEST(x86_task, callee_saved_registers_survive_switches) {
    // This task and two spawned per CPU each hold their own patterns in RBX, RBP and R12-R15
    // across yields that switch between the tasks of each CPU (and any tick in between). With
    // one CPU, three tasks take turns; with more, new tasks go to the least loaded CPU, so
    // every CPU gets about two to switch between.
    constexpr u64 rounds = 200;
    constexpr u32 max_players = 1 + 2 * 8;
    u32 players = min<u32>(1 + 2 * smp::online_cpus(), max_players);
    Array<u64, max_players> broken{};
    u32 started = 0;
    auto player = [&](u64 who) {
        // Everyone starts before anyone counts, so no task runs its rounds alone on its CPU.
        __atomic_fetch_add(&started, 1, __ATOMIC_ACQ_REL);
        while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < players) {
            this_task::yield();
        }
        for (u64 i = 0; i < rounds; ++i) {
            u64 seed = 0x6b65'656c'0000'0000 | (who << 24) | (i << 8);
            u64 bad = keel_x86_switch_with_patterns(seed, &keel_x86_ktest_yield);
            if (bad != 0 && broken[who] == 0) {
                broken[who] = bad;
            }
        }
    };
    u64 switches = sched::context_switches();
    Array<Optional<TaskHandle>, max_players> handles{};
    for (u32 who = 1; who < players; ++who) {
        Result<TaskHandle> t =
            spawn_on(who % smp::online_cpus(), "regs", [&player, who] { player(who); });
        KASSERT(t.ok());
        handles[who] = move(t.value());
    }
    player(0);
    for (u32 who = 1; who < players; ++who) {
        handles[who]->join();
    }
    for (u32 who = 0; who < players; ++who) {
        KEXPECT_EQ(broken[who], u64{0});
    }
    KEXPECT(sched::context_switches() - switches >= 2 * rounds);
}

KTEST(x86_task, rflags_ac_stays_with_its_task) {
    // A task switched away with AC set (as inside user_access_begin/end) keeps it; the task that
    // runs next does not get it (with SMAP that would be the bypass of SMAP).
    bool a_set = false;
    bool b_checked = false;
    u64 b_rflags = ~u64{0};
    u64 a_rflags = 0;
    Result<TaskHandle> a = spawn("ac-set", [&] {
        u64 saved = arch::save_and_disable_interrupts();
        set_ac();
        arch::restore_interrupts(saved);
        __atomic_store_n(&a_set, true, __ATOMIC_RELEASE);
        while (!__atomic_load_n(&b_checked, __ATOMIC_ACQUIRE)) {
            this_task::yield();
        }
        a_rflags = read_rflags();
        clear_ac();
    });
    Result<TaskHandle> b = spawn("ac-check", [&] {
        while (!__atomic_load_n(&a_set, __ATOMIC_ACQUIRE)) {
            this_task::yield();
        }
        b_rflags = read_rflags();
        __atomic_store_n(&b_checked, true, __ATOMIC_RELEASE);
    });
    KASSERT(a.ok() && b.ok());
    a.value().join();
    b.value().join();
    KEXPECT_EQ(b_rflags & rflags_ac, u64{0});
    KEXPECT((a_rflags & rflags_ac) != 0);
}

// --- preemption on the way out of an interrupt -------------------------------------------------

struct Spin {
    u64 in_loop = 0;
    u64 done = 0;
    u64 spins = 500000000; // bound: a missing preemption fails the test instead of hanging
    u64 intact = 0;
};

KTEST(x86_task, a_preempted_task_resumes_with_every_register_intact) {
    // The spinner holds a pattern in every general register but RSP and RAX (its state's
    // address) and never yields; the other task only finishes once the spinner is in its loop,
    // so the spinner can only get out after the tick preempted it there (interrupt_exit) and it
    // came back through the saved interrupt frame. Both on one CPU: on two, the spinner could
    // get out without ever being preempted.
    Spin spin;
    u64 preemptions = sched::preemptions();
    Result<TaskHandle> spinner = spawn_on(0, "spinner", [&] {
        // SAFETY: the registers written are declared clobbered, RBP is saved and restored
        // around its use; memory is only reached through RAX, the state's address.
        asm volatile("pushq %%rbp\n\t"
                     "movq $0x11111111, %%rbx\n\t"
                     "movq $0x22222222, %%rcx\n\t"
                     "movq $0x33333333, %%rdx\n\t"
                     "movq $0x44444444, %%rsi\n\t"
                     "movq $0x55555555, %%rdi\n\t"
                     "movq $0x66666666, %%r8\n\t"
                     "movq $0x77777777, %%r9\n\t"
                     "movq $0x18888888, %%r10\n\t"
                     "movq $0x19999999, %%r11\n\t"
                     "movq $0x1aaaaaaa, %%r12\n\t"
                     "movq $0x1bbbbbbb, %%r13\n\t"
                     "movq $0x1ccccccc, %%r14\n\t"
                     "movq $0x1ddddddd, %%r15\n\t"
                     "movq $0x1eeeeeee, %%rbp\n\t"
                     "movq $1, 0(%%rax)\n"
                     "1:\n\t"
                     "cmpq $0, 8(%%rax)\n\t"
                     "jne 2f\n\t"
                     "decq 16(%%rax)\n\t"
                     "jnz 1b\n"
                     "2:\n\t"
                     "cmpq $0x11111111, %%rbx\n\tjne 3f\n\t"
                     "cmpq $0x22222222, %%rcx\n\tjne 3f\n\t"
                     "cmpq $0x33333333, %%rdx\n\tjne 3f\n\t"
                     "cmpq $0x44444444, %%rsi\n\tjne 3f\n\t"
                     "cmpq $0x55555555, %%rdi\n\tjne 3f\n\t"
                     "cmpq $0x66666666, %%r8\n\tjne 3f\n\t"
                     "cmpq $0x77777777, %%r9\n\tjne 3f\n\t"
                     "cmpq $0x18888888, %%r10\n\tjne 3f\n\t"
                     "cmpq $0x19999999, %%r11\n\tjne 3f\n\t"
                     "cmpq $0x1aaaaaaa, %%r12\n\tjne 3f\n\t"
                     "cmpq $0x1bbbbbbb, %%r13\n\tjne 3f\n\t"
                     "cmpq $0x1ccccccc, %%r14\n\tjne 3f\n\t"
                     "cmpq $0x1ddddddd, %%r15\n\tjne 3f\n\t"
                     "cmpq $0x1eeeeeee, %%rbp\n\tjne 3f\n\t"
                     "movq $1, 24(%%rax)\n"
                     "3:\n\t"
                     "popq %%rbp"
                     :
                     : "a"(&spin)
                     : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
                       "r14", "r15", "memory", "cc");
    });
    Result<TaskHandle> other = spawn_on(0, "other", [&] {
        while (__atomic_load_n(&spin.in_loop, __ATOMIC_ACQUIRE) == 0) {
            this_task::yield();
        }
        __atomic_store_n(&spin.done, 1, __ATOMIC_RELEASE);
    });
    KASSERT(spinner.ok() && other.ok());
    spinner.value().join();
    other.value().join();
    KEXPECT(spin.done != 0);
    KEXPECT(spin.spins != 0);
    KEXPECT_EQ(spin.intact, u64{1});
    KEXPECT(sched::preemptions() > preemptions);
}

// --- the frame chain of a task ------------------------------------------------------------------

struct ChainEnd {
    uptr last_record = 0; // the record holding {0, 0}
    bool all_on_the_task_stack = true;
    usize frames = 0;
};

[[gnu::noinline]] ChainEnd walk_own_frames(VirtRange stack, FixedString<2048>& text) {
    print_backtrace(text);
    ChainEnd end;
    uptr fp = arch::current_frame_pointer();
    while (fp != 0 && end.frames < 64) {
        if (!stack.contains(fp, 2 * sizeof(uptr))) {
            end.all_on_the_task_stack = false;
            break;
        }
        // SAFETY: fp was just checked to lie on the running task's stack.
        const uptr* record = reinterpret_cast<const uptr*>(fp);
        ++end.frames;
        if (record[1] == 0) {
            end.last_record = fp;
            KEXPECT_EQ(record[0], uptr{0});
            break;
        }
        fp = record[0];
    }
    return end;
}

KTEST(x86_task, a_backtrace_inside_a_task_ends_at_the_task_entry) {
    FixedString<2048> text;
    ChainEnd end;
    VirtRange stack;
    Result<TaskHandle> t = spawn("backtrace", [&] {
        stack = sched::current().stack_range;
        end = walk_own_frames(stack, text);
    });
    KASSERT(t.ok());
    t.value().join();
    KEXPECT(end.all_on_the_task_stack);
    KEXPECT_EQ(end.last_record, stack.end - 16);
    KEXPECT(end.frames >= 3); // walk_own_frames, the body, task_entry at least
    // The printed walk names this test's function first and the generic task entry last.
    StringView v = text.view();
    KEXPECT(contains(v, "walk_own_frames"));
    usize last = 0;
    for (usize i = 0; i + 3 <= v.size(); ++i) {
        if (v.substr(i, 3) == StringView("  #")) {
            last = i;
        }
    }
    KEXPECT(contains(v.substr(last, v.size() - last), "task_entry"));
    if (!contains(v.substr(last, v.size() - last), "task_entry")) {
        format(console::sink(), "{}", v);
    }
}

// --- costs ----------------------------------------------------------------------------------

KTEST(x86_task, switch_cost) {
    // Two tasks per CPU yielding to each other: each yield is one switch (mask, schedule,
    // switch_context, unmask). Under TCG this measures the emulator more than the CPU; it is
    // printed, not judged (the test checks that the switches happened).
    constexpr u64 rounds = 20000;
    constexpr u32 max_yielders = 2 * 8;
    u32 cpus = min<u32>(smp::online_cpus(), max_yielders / 2);
    u32 started = 0;
    auto yielder = [&] {
        // All start before any counts: a yielder alone on its CPU would not switch at all.
        __atomic_fetch_add(&started, 1, __ATOMIC_ACQ_REL);
        while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < 2 * cpus) {
            this_task::yield();
        }
        for (u64 i = 0; i < rounds; ++i) {
            this_task::yield();
        }
    };
    u64 switches = sched::context_switches();
    u64 start = clock::monotonic_ns();
    Array<Optional<TaskHandle>, max_yielders> handles{};
    for (u32 i = 0; i < 2 * cpus; ++i) {
        Result<TaskHandle> t = spawn_on(i % cpus, "yield", yielder);
        KASSERT(t.ok());
        handles[i] = move(t.value());
    }
    for (u32 i = 0; i < 2 * cpus; ++i) {
        handles[i]->join();
    }
    u64 elapsed = clock::monotonic_ns() - start;
    u64 done = sched::context_switches() - switches;
    KEXPECT(done >= 2 * rounds);
    // Wall time per switch, all CPUs together.
    u64 per_switch = elapsed / max(done, u64{1});
    format(console::sink(),
           "ktest:     {} switches on {} CPU(s) in {} us: {} ns each; so far {} switches, {} "
           "preemptions\n",
           done, cpus, elapsed / 1000, per_switch, sched::context_switches(), sched::preemptions());
}

// --- fatal: run alone, `./keel run --arch x86_64 -- ktest=x86_task_fault.NAME` -------------

constinit u64 recursion_stop = ~u64{0};

[[gnu::noinline]] u64 recurse_on_a_task_stack(u64 depth) {
    // Filled, not zero-initialized, so that memset is not the function that meets the guard.
    Array<u64, 32> filler;
    for (usize i = 0; i < filler.size(); ++i) {
        filler[i] = depth ^ i;
    }
    // SAFETY: an empty asm emits no instruction; handing it the filler's address with a
    // "memory" clobber only makes the compiler keep the stores above (the stack must be used).
    asm volatile("" : : "r"(filler.span().data()) : "memory");
    if (__atomic_load_n(&recursion_stop, __ATOMIC_RELAXED) == depth) {
        return 0; // never: nothing sets it, the guard page is met long before
    }
    // Not a tail call: the result is used after the call returns.
    return recurse_on_a_task_stack(depth + 1) + filler[(depth + 1) % filler.size()];
}

// A spawned task recurses into the guard page below its KernelStack: reported as "kernel stack
// overflow", the guard named as the one below a kernel stack (not the boot stack), with a
// backtrace of the recursion that ends at the task's entry.
KTEST_FATAL(x86_task_fault, stack_overflow_in_a_task) {
    Result<TaskHandle> t = spawn("overflow", [] { (void)recurse_on_a_task_stack(0); });
    if (!t.ok()) {
        arch::power_off(1);
    }
    t.value().join();
    arch::power_off(1); // not reached: the overflow ends the kernel
}

} // namespace keel::x86::task_ktests
