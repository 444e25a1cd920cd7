// SMP on each arch (run with --smp 1, 2 and 4): every CPU the firmware describes comes online,
// cross-CPU calls reach each of them, tasks on every CPU keep a locked counter exact, and a
// remote TLB shootdown is observed by another CPU.
#include <keel/clock.h>
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/per_cpu.h>
#include <keel/spin_lock.h>
#include <keel/task.h>
#include <keel/timer.h>

#include <arch/smp.h>

#include "console/console.h"
#include "mm/cpu_local.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"
#include "smp.h"

namespace keel {
namespace {

KTEST(smp, every_cpu_the_firmware_describes_is_online) {
    KEXPECT_EQ(smp::online_cpus(), arch::possible_cpus());
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        KEXPECT(smp::is_online(cpu));
    }
    KEXPECT_EQ(arch::cpu_index(), u32{0}); // ktests run on the boot CPU's boot task
}

KTEST(smp, calls_reach_every_cpu) {
    Array<u32, max_cpus> seen{};
    for (u32& s : seen) {
        s = ~u32{0};
    }
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        smp::call_on(
            cpu,
            [](void* arg) { (*static_cast<Array<u32, max_cpus>*>(arg))[this_cpu()] = this_cpu(); },
            &seen);
    }
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        KEXPECT_EQ(seen[cpu], cpu);
    }
}

KTEST(smp, tasks_on_every_cpu_keep_a_locked_counter_exact) {
    // Enough handovers to catch a lost update, few enough for an emulator with more vCPUs than
    // host cores: a ticket lock waits for its next holder's vCPU to get the host CPU back, so
    // each handover can cost a host time slice (20000 per task once took 100 s on 2 cores).
    constexpr u32 per_task = 1000;
    u32 tasks = 2 * smp::online_cpus();
    SpinLock lock;
    u64 counter = 0;
    u64 cpus_used = 0; // bit per CPU a task ran on
    bool go = false;
    Array<Optional<TaskHandle>, 2 * 8> handles{};
    tasks = min<u32>(tasks, handles.size());
    for (u32 i = 0; i < tasks; ++i) {
        Result<TaskHandle> t = spawn("count", [&] {
            // All start together: a task done before the next is placed would leave its CPU
            // the least loaded again, and every task could land there.
            while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE)) {
                this_task::yield();
            }
            for (u32 k = 0; k < per_task; ++k) {
                SpinLockGuard guard(lock);
                ++counter;
                cpus_used |= u64{1} << this_cpu();
            }
        });
        KASSERT(t.ok());
        handles[i] = move(t.value());
    }
    __atomic_store_n(&go, true, __ATOMIC_RELEASE);
    for (u32 i = 0; i < tasks; ++i) {
        handles[i]->join();
    }
    KEXPECT_EQ(counter, u64{tasks} * per_task);
    u32 used = static_cast<u32>(__builtin_popcountll(cpus_used));
    KEXPECT(used >= min<u32>(smp::online_cpus(), 2));
}

KTEST(smp, a_remote_tlb_shootdown_is_observed) {
    if (smp::online_cpus() < 2) {
        format(console::sink(), "ktest:   (one CPU: nothing remote to shoot down)\n");
        return;
    }
    Frame a = Frame::allocate().release_value();
    Frame b = Frame::allocate().release_value();
    KASSERT(a.write_value<u64>(0, 0xaaaa).ok() && b.write_value<u64>(0, 0xbbbb).ok());
    uptr va = mm::allocate_kernel_va(page_size).release_value();
    mm::PageAttrs rw = mm::PageAttrs::kernel(Perms::read_write);
    struct Probe {
        uptr va;
        u64 value;
    } probe{va, 0};
    auto read_remote = [](void* p) {
        auto* probe = static_cast<Probe*>(p);
        // SAFETY: the test mapped probe->va before asking.
        probe->value = *reinterpret_cast<volatile const u64*>(probe->va);
    };
    KASSERT(mm::map_kernel(va, a.phys(), page_size, rw).ok());
    smp::call_on(1, read_remote, &probe); // CPU 1 now caches the translation to a
    KEXPECT_EQ(probe.value, u64{0xaaaa});
    mm::unmap_kernel(va, page_size);
    KASSERT(mm::map_kernel(va, b.phys(), page_size, rw).ok());
    smp::call_on(1, read_remote, &probe); // a stale entry on CPU 1 would still read a
    KEXPECT_EQ(probe.value, u64{0xbbbb});
    mm::unmap_kernel(va, page_size);
    mm::free_kernel_va(va, page_size);
}

KTEST(smp, a_bound_task_stays_on_its_cpu_and_its_timers_fire_there) {
    constexpr u64 ms = 1000 * 1000;
    struct Fired final : TimerCallback {
        void on_timer() override { __atomic_store_n(&cpu, u32(this_cpu()), __ATOMIC_RELEASE); }
        u32 cpu = ~u32{0};
    };
    Array<u32, max_cpus> moved{};    // times a bound task found itself elsewhere
    Array<u32, max_cpus> fired_on{}; // where its timer's callback ran
    Array<Optional<TaskHandle>, max_cpus> handles{};
    u32 cpus = smp::online_cpus();
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        Result<TaskHandle> t = spawn_on(cpu, "bound", [&moved, &fired_on, cpu] {
            for (u32 round = 0; round < 20; ++round) {
                this_task::yield();
                moved[cpu] += this_cpu() != cpu ? 1 : 0;
            }
            Fired fired;
            Timer timer;
            if (timer.arm(clock::monotonic_ns() + ms, fired).is_error()) {
                return;
            }
            this_task::sleep_for(3 * ms);
            moved[cpu] += this_cpu() != cpu ? 1 : 0;
            fired_on[cpu] = __atomic_load_n(&fired.cpu, __ATOMIC_ACQUIRE);
        });
        KASSERT(t.ok());
        handles[cpu] = move(t.value());
    }
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        handles[cpu]->join();
        KEXPECT_EQ(moved[cpu], u32{0});
        KEXPECT_EQ(fired_on[cpu], cpu);
    }
    KEXPECT_EQ(spawn_on(cpus, "nowhere", [] {}).error(), Errno::einval);
    KEXPECT_EQ(spawn_on(~u32{0}, "nowhere", [] {}).error(), Errno::einval);
}

KTEST(smp, call_on_others_reaches_each_other_cpu_once) {
    Array<u32, max_cpus> calls{};
    smp::call_on_others(
        [](void* arg) {
            __atomic_fetch_add(&(*static_cast<Array<u32, max_cpus>*>(arg))[this_cpu()], 1,
                               __ATOMIC_RELAXED);
        },
        &calls);
    u32 self = static_cast<u32>(this_cpu());
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        KEXPECT_EQ(calls[cpu], cpu == self ? u32{0} : u32{1});
    }
}

KTEST(smp, per_cpu_counters_need_no_lock) {
    constexpr u32 increments = 5000;
    PerCpu<u64> counts;
    Array<Optional<TaskHandle>, max_cpus> handles{};
    u32 cpus = online_cpu_count();
    KEXPECT_EQ(cpus, smp::online_cpus());
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        Result<TaskHandle> t = spawn_on(cpu, "per-cpu", [&counts] {
            for (u32 i = 0; i < increments; ++i) {
                counts.with_local([](u64& mine) { ++mine; }); // a plain, unlocked increment
                if (i % 1000 == 0) {
                    this_task::yield();
                }
            }
        });
        KASSERT(t.ok());
        handles[cpu] = move(t.value());
    }
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        handles[cpu]->join();
    }
    u64 total = 0;
    // Every writer has been joined: reading the copies unsynchronized is the framework's call.
    counts.for_each_online_unsynchronized([&](u32 cpu, const u64& n) {
        KEXPECT_EQ(n, u64{increments}); // each task touched only its own CPU's copy
        total += n;
    });
    KEXPECT_EQ(total, u64{cpus} * increments);
    KEXPECT_EQ(counts.with_local([](u64&) { return u32(this_cpu()); }), u32{0});
}

} // namespace
} // namespace keel
