// ktests of the aarch64 SMP bring-up, each check made on every online CPU (through a cross-CPU
// call, which runs in that CPU's IPI handler): its per-CPU registers (TPIDR_EL1 = its index,
// SP_EL0 = its own emergency stack, VBAR), its translation set-up (the boot CPU's), its GIC
// interface with the IPI SGI and the timer PPI enabled, and its own timer firing on it.
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/task.h>
#include <keel/timer.h>

#include <arch/cpu.h>
#include <arch/smp.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/generic_timer.h"
#include "arch/aarch64/gic.h"
#include "arch/aarch64/sysreg.h"
#include "mm/cpu_local.h"
#include "mm/kernel_space.h"
#include "smp.h"

extern "C" const char keel_vectors[];

namespace keel::arch {
namespace {

constexpr u64 ms = 1000 * 1000;

struct CpuState {
    bool ran = false;
    u64 tpidr = 0;
    u64 mpidr = 0;
    u64 sp_el0 = 0;
    u64 vbar = 0;
    u64 current_el = 0;
    u64 ttbr1 = 0;
    u64 ttbr0 = 0;
    u64 tcr = 0;
    u64 mair = 0;
    u64 sctlr = 0;
    u64 gic_cpu_side = 0;
    bool ipi_enabled = false;
    bool timer_enabled = false;
};

void record_state(void* arg) {
    auto& states = *static_cast<Array<CpuState, max_cpus>*>(arg);
    CpuState& s = states[this_cpu()];
    // SAFETY (the reads below): reading system registers has no side effects.
    s.tpidr = KEEL_READ_SYSREG(tpidr_el1);
    s.mpidr = KEEL_READ_SYSREG(mpidr_el1) & 0xff00ffffff;
    s.sp_el0 = KEEL_READ_SYSREG(sp_el0);
    s.vbar = KEEL_READ_SYSREG(vbar_el1);
    s.current_el = (KEEL_READ_SYSREG(CurrentEL) >> 2) & 3;
    s.ttbr1 = KEEL_READ_SYSREG(ttbr1_el1);
    s.ttbr0 = KEEL_READ_SYSREG(ttbr0_el1);
    s.tcr = KEEL_READ_SYSREG(tcr_el1);
    s.mair = KEEL_READ_SYSREG(mair_el1);
    s.sctlr = KEEL_READ_SYSREG(sctlr_el1);
    s.gic_cpu_side = gic()->cpu_interface_phys();
    s.ipi_enabled = gic()->is_enabled(ipi_sgi);
    s.timer_enabled = gic()->is_enabled(generic_timer::line());
    s.ran = true;
}

KTEST(aarch64_smp, every_cpu_has_its_own_registers_and_the_kernel_translation) {
    Array<CpuState, max_cpus> states{};
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        smp::call_on(cpu, &record_state, &states);
    }
    // What the boot CPU has (CPU 0, whichever CPU this task runs on now).
    const CpuState& boot = states[0];
    KASSERT(boot.ran);
    KEXPECT_EQ(boot.ttbr1, mm::kernel_root());
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        const CpuState& s = states[cpu];
        if (!KEXPECT(s.ran)) {
            continue;
        }
        KEXPECT_EQ(s.tpidr, u64{cpu});
        KEXPECT_EQ(s.mpidr, cpu_mpidr(cpu));
        KEXPECT_EQ(s.sp_el0, emergency_stack_top(cpu));
        KEXPECT_EQ(s.vbar, address_of(keel_vectors));
        KEXPECT_EQ(s.current_el, u64{1});
        KEXPECT_EQ(s.ttbr1, boot.ttbr1);
        KEXPECT_EQ(s.ttbr0, boot.ttbr0);
        KEXPECT_EQ(s.tcr, boot.tcr);
        KEXPECT_EQ(s.mair, boot.mair);
        KEXPECT_EQ(s.sctlr, boot.sctlr);
        KEXPECT(s.ipi_enabled);
        KEXPECT(s.timer_enabled);
        for (u32 other = 0; other < cpu; ++other) {
            KEXPECT(s.mpidr != states[other].mpidr);
            KEXPECT(s.sp_el0 != states[other].sp_el0);
            if (gic()->version() == Gic::Version::v3) {
                KEXPECT(s.gic_cpu_side != states[other].gic_cpu_side); // its own redistributor
            }
        }
        if (gic()->version() == Gic::Version::v3) {
            Result<Gic::Redistributor> r =
                gic()->redistributor_of((s.mpidr & 0xffffff) | (((s.mpidr >> 32) & 0xff) << 24));
            KEXPECT(r.ok() && r.value().region->phys() + r.value().offset == s.gic_cpu_side);
        } else {
            KEXPECT_EQ(gic()->sgi_target(cpu), u64{1} << cpu); // QEMU: interface n is CPU n
        }
    }
}

KTEST(aarch64_smp, every_secondary_cpu_was_timed_coming_up) {
    KEXPECT_EQ(cpu_bring_up_ns(0), u64{0});
    u64 worst = 0;
    for (u32 cpu = 1; cpu < smp::online_cpus(); ++cpu) {
        u64 ns = cpu_bring_up_ns(cpu);
        KEXPECT(ns > 0); // a measurement: how long is the log's business
        worst = max(worst, ns);
    }
    log::info("aarch64 smp: {} CPUs, slowest bring-up {} us", smp::online_cpus(), worst / 1000);
}

struct Fired final : TimerCallback {
    void on_timer() override {
        __atomic_store_n(&cpu, static_cast<u32>(this_cpu()), __ATOMIC_RELAXED);
        __atomic_store_n(&fired, true, __ATOMIC_RELEASE);
    }
    Timer timer;
    u32 cpu = ~0u;
    bool fired = false;
    u64 timer_interrupts_before = 0;
    bool armed = false;
};

// Runs on the target CPU: arms a one-shot on that CPU's timer queue.
void arm_here(void* arg) {
    Fired& f = *static_cast<Fired*>(arg);
    f.timer_interrupts_before = generic_timer::interrupt_count(static_cast<u32>(this_cpu()));
    f.armed = f.timer.arm(clock::monotonic_ns() + 2 * ms, f).ok();
}

KTEST(aarch64_smp, every_cpu_timer_fires_on_that_cpu) {
    constexpr u32 most = 8;
    u32 n = min(smp::online_cpus(), most);
    Array<Fired, most> fired{};
    for (u32 cpu = 0; cpu < n; ++cpu) {
        smp::call_on(cpu, &arm_here, &fired[cpu]);
    }
    u64 until = clock::monotonic_ns() + ktest::lost_after_ns;
    for (u32 cpu = 0; cpu < n; ++cpu) {
        while (!__atomic_load_n(&fired[cpu].fired, __ATOMIC_ACQUIRE) &&
               clock::monotonic_ns() < until) {
            this_task::yield();
        }
        KEXPECT(fired[cpu].armed);
        KEXPECT(fired[cpu].fired);
        KEXPECT_EQ(fired[cpu].cpu, cpu);
        KEXPECT(generic_timer::interrupt_count(cpu) > fired[cpu].timer_interrupts_before);
    }
}

void count_call(void* arg) { __atomic_fetch_add(static_cast<u64*>(arg), 1, __ATOMIC_RELAXED); }

// A cross-CPU call is an SGI there and a poll here: time the round trip to every other CPU.
KTEST(aarch64_smp, cross_cpu_calls_are_timed) {
    constexpr u32 rounds = 200;
    u64 calls = 0;
    u64 start = clock::monotonic_ns();
    for (u32 i = 0; i < rounds; ++i) {
        smp::call_on_others(&count_call, &calls);
    }
    u64 elapsed = clock::monotonic_ns() - start;
    u32 others = smp::online_cpus() - 1;
    KEXPECT_EQ(calls, u64{rounds} * others);
    if (others > 0) {
        log::info("aarch64 smp: {} calls to {} other CPUs, {} us per call", calls, others,
                  elapsed / calls / 1000);
    }
}

} // namespace
} // namespace keel::arch
