// ktests of riscv64 SMP (smp.cc, smp_entry.S): each CPU's tp is its index and its sscratch its
// own trap block with its own emergency stack, each CPU's timer interrupt fires on that CPU, and
// a cross-CPU call arrives as a supervisor software interrupt on the target hart.
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/timer.h>

#include <arch/cpu.h>
#include <arch/smp.h>
#include <arch/task.h>

#include "irq_entry.h"
#include "mm/cpu_local.h"
#include "smp.h"
#include "trap.h"

namespace keel::arch {
namespace {

struct CpuFacts {
    u32 index = ~u32{0};
    const riscv::TrapCpu* trap = nullptr;
    VirtRange emergency;
    u64 software = 0;
};

KTEST(riscv64_smp, each_cpu_has_its_index_in_tp_and_its_own_trap_block) {
    Array<CpuFacts, max_cpus> facts{};
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        smp::call_on(
            cpu,
            [](void* arg) {
                CpuFacts& f = (*static_cast<Array<CpuFacts, max_cpus>*>(arg))[cpu_index()];
                f.index = cpu_index();
                f.trap = &riscv::this_trap_cpu();
                f.emergency = riscv::emergency_stack();
            },
            &facts);
    }
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        KEXPECT_EQ(facts[cpu].index, cpu);
        KEXPECT(facts[cpu].trap == &riscv::trap_cpu_of(cpu));
        KEXPECT(riscv::hart_of_cpu(cpu) != ~u64{0});
        for (u32 other = 0; other < cpu; ++other) {
            KEXPECT(facts[other].trap != facts[cpu].trap);
            KEXPECT(facts[other].emergency.base != facts[cpu].emergency.base);
            KEXPECT(riscv::hart_of_cpu(other) != riscv::hart_of_cpu(cpu));
        }
    }
}

struct Fired final : TimerCallback {
    void on_timer() override { __atomic_store_n(&on_cpu, cpu_index(), __ATOMIC_RELEASE); }
    Timer timer;
    u32 on_cpu = ~u32{0};
};

KTEST(riscv64_smp, each_cpus_timer_fires_on_that_cpu) {
    Array<Fired, max_cpus> fired{};
    u32 cpus = smp::online_cpus();
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        // Armed from the target CPU, so on its queue and its hart timer.
        smp::call_on(
            cpu,
            [](void* arg) {
                Fired& f = (*static_cast<Array<Fired, max_cpus>*>(arg))[cpu_index()];
                (void)f.timer.arm(clock::monotonic_ns() + 2 * 1000 * 1000, f);
            },
            &fired);
        KEXPECT_EQ(fired[cpu].timer.cpu(), cpu);
    }
    // The ktests run on CPU 0's boot flow with interrupts masked: let this CPU's timer in.
    u64 saved = save_and_disable_interrupts();
    enable_interrupts();
    u64 deadline = clock::monotonic_ns() + ktest::lost_after_ns;
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        while (__atomic_load_n(&fired[cpu].on_cpu, __ATOMIC_ACQUIRE) == ~u32{0} &&
               clock::monotonic_ns() < deadline) {
        }
    }
    disable_interrupts();
    restore_interrupts(saved);
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        KEXPECT_EQ(__atomic_load_n(&fired[cpu].on_cpu, __ATOMIC_ACQUIRE), cpu);
    }
}

KTEST(riscv64_smp, a_cross_cpu_call_is_a_supervisor_software_interrupt_there) {
    for (u32 cpu = 1; cpu < smp::online_cpus(); ++cpu) {
        CpuFacts before;
        CpuFacts after;
        auto read = [](void* arg) {
            static_cast<CpuFacts*>(arg)->software = riscv::interrupt_counts().software;
        };
        smp::call_on(cpu, read, &before);
        for (u32 i = 0; i < 8; ++i) {
            smp::call_on(cpu, read, &after);
        }
        KEXPECT(after.software > before.software);
        KEXPECT(smp::ipis_handled(cpu) >= 9);
    }
}

} // namespace
} // namespace keel::arch
