// ktests of x86_64 SMP (smp.cc, ap_boot.S): every online CPU reads its own index through GS and
// runs on its own local APIC (the MADT's id), GDT, TSS and emergency stack; each CPU's timer
// interrupts arrive on that CPU; IPIs arrive on their vector and are ended.
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>

#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <arch/smp.h>

#include "apic.h"
#include "console/console.h"
#include "mm/cpu_local.h"
#include "mm/kernel_vm.h"
#include "smp.h"
#include "x86.h"

namespace keel::x86 {
namespace {

constexpr u32 msr_gs_base = 0xc0000101;

struct CpuFacts {
    u32 index = ~u32{0};
    u32 apic_id = ~u32{0};
    u64 gs_base = 0;
    u64 gdt_base = 0;
    u16 tr = 0;
    VirtRange emergency{};
    u64 cr4 = 0;
    u64 cr3 = 0;
    u64 efer = 0;
};

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

void collect(void* arg) {
    auto& facts = (*static_cast<Array<CpuFacts, max_cpus>*>(arg))[arch::cpu_index()];
    facts.index = arch::cpu_index();
    facts.apic_id = local_apic().id();
    facts.gs_base = rdmsr(msr_gs_base);
    DescriptorPointer gdtr{};
    u16 tr = 0;
    // SAFETY: SGDT and STR only store the descriptor-table register and the task register.
    asm volatile("sgdt %0; str %1" : "=m"(gdtr), "=r"(tr));
    facts.gdt_base = gdtr.base;
    facts.tr = tr;
    facts.emergency = emergency_stack();
    facts.cr4 = read_cr4();
    facts.cr3 = read_cr3();
    facts.efer = rdmsr(msr_efer);
}

KTEST(x86_smp, each_cpu_has_its_own_index_apic_tables_and_emergency_stack) {
    Array<CpuFacts, max_cpus> facts{};
    u32 cpus = smp::online_cpus();
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        smp::call_on(cpu, &collect, &facts);
    }
    const CpuFacts& boot = facts[0];
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        const CpuFacts& f = facts[cpu];
        KEXPECT_EQ(f.index, cpu);
        KEXPECT_EQ(f.apic_id, apic_id_of(cpu));
        KEXPECT_EQ(f.tr, tss_selector);
        // The same control bits and kernel root as the boot CPU.
        KEXPECT_EQ(f.cr4, boot.cr4);
        KEXPECT_EQ(f.cr3, boot.cr3);
        KEXPECT_EQ(f.efer, boot.efer);
        KEXPECT(f.emergency.end > f.emergency.base && f.emergency.end % 16 == 0);
        for (u32 other = 0; other < cpu; ++other) {
            KEXPECT(f.gs_base != facts[other].gs_base);
            KEXPECT(f.gdt_base != facts[other].gdt_base);
            KEXPECT(f.apic_id != facts[other].apic_id);
            KEXPECT(f.emergency.base >= facts[other].emergency.end ||
                    f.emergency.end <= facts[other].emergency.base);
        }
        if (cpu != 0) {
            // A secondary CPU's emergency stack is a kernel stack with its guard page.
            Optional<mm::StackFacts> guard = mm::guard_of(f.emergency.base - page_size);
            KEXPECT(guard.has_value() && guard->stack.end == f.emergency.end);
        }
    }
}

KTEST(x86_smp, each_cpu_takes_its_own_timer_interrupts) {
    // Every CPU's scheduler tick (10 ms) arms its own LAPIC timer: each online CPU soon counts
    // two on itself.
    u32 cpus = smp::online_cpus();
    Array<u64, max_cpus> before{};
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        before[cpu] = timer_interrupt_count_on(cpu);
    }
    u64 start = clock::monotonic_ns();
    KEXPECT(ktest::idle_until([&] {
        for (u32 cpu = 0; cpu < cpus; ++cpu) {
            if (timer_interrupt_count_on(cpu) - before[cpu] < 2) {
                return false;
            }
        }
        return true;
    }));
    u64 took = clock::monotonic_ns() - start;
    for (u32 cpu = 0; cpu < cpus; ++cpu) {
        u64 taken = timer_interrupt_count_on(cpu) - before[cpu];
        KEXPECT(taken >= 2);
        format(console::sink(), "ktest:     CPU {}: {} timer interrupts in {} us\n", cpu, taken,
               took / 1000);
    }
}

KTEST(x86_smp, ipis_arrive_on_their_vector_and_are_ended) {
    // A hundred calls to each other CPU: each is one IPI, handled there and ended (without the
    // EOI the second would never be taken). The round trip is printed.
    u32 cpus = smp::online_cpus();
    if (cpus < 2) {
        format(console::sink(), "ktest:   (one CPU: no IPIs to send)\n");
        return;
    }
    constexpr u32 calls = 100;
    for (u32 cpu = 1; cpu < cpus; ++cpu) {
        u64 handled = smp::ipis_handled(cpu);
        u32 ran = 0;
        u64 start = clock::monotonic_ns();
        for (u32 i = 0; i < calls; ++i) {
            smp::call_on(
                cpu, [](void* p) { ++*static_cast<u32*>(p); }, &ran);
        }
        u64 elapsed = clock::monotonic_ns() - start;
        KEXPECT_EQ(ran, calls);
        KEXPECT(smp::ipis_handled(cpu) - handled >= calls);
        format(console::sink(), "ktest:     CPU 0 -> {}: {} us per call\n", cpu,
               elapsed / calls / 1000);
    }
}

} // namespace
} // namespace keel::x86
