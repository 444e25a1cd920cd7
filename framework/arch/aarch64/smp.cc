// aarch64: the SMP concern of the arch contract (arch/smp.h). The CPUs are the device tree's
// /cpus nodes (reg: the MPIDR affinity) with enable-method "psci"; each is started with PSCI
// CPU_ON at boot.S's keel_secondary_entry, which turns its MMU on with the kernel root, sets its
// per-CPU registers (TPIDR_EL1 = index, SP_EL0 = emergency stack, VBAR_EL1) and comes to
// keel_arch_secondary_start below. IPIs are SGI ipi_sgi (aarch64.h).
#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/smp.h>

#include <keel/clock.h>
#include <keel/ktl/array.h>
#include <keel/ktl/optional.h>
#include <keel/log.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/sysreg.h"
#include "boot/devicetree.h"
#include "mm/cpu_local.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"

// One block for every secondary CPU, as they start one at a time (boot.S reads it by name once
// its MMU is on, by the physical address in x0 before).
extern "C" alignas(64) constinit keel::arch::SecondaryBoot keel_secondary_boot{};

namespace keel::arch {

namespace {
constexpr u64 ns_per_us = 1000;
constexpr u64 start_timeout_ns = u64{1000} * 1000 * 1000;
constexpr u64 mpidr_affinity_mask = 0xff00ffffff; // Aff3 39:32, Aff2..Aff0 23:0

// What a starting CPU reports in `start_status`.
enum : u32 { starting = 0, started = 1, start_failed = 2 };

constinit bool probed = false;
constinit u32 described = 0; // CPUs in the device tree we can start, boot CPU first
constinit Array<u64, max_cpus> described_mpidr{}; // their MPIDR affinities (PSCI's form)
constinit Array<u64, max_cpus> index_mpidr{};     // by cpu_index, once started
constinit Array<Optional<mm::KernelStack>, max_cpus> stacks{};
constinit Array<Optional<mm::KernelStack>, max_cpus> emergency_stacks{};
constinit void (*secondary_entry)(u32, VirtRange) = nullptr;
constinit u32 start_status = starting;
constinit Array<u64, max_cpus> bring_up_ns{};

u64 this_cpu_mpidr() {
    // SAFETY: reading an identification register has no side effects.
    return KEEL_READ_SYSREG(mpidr_el1) & mpidr_affinity_mask;
}

// Reads /cpus once: the boot CPU first, then every other enabled CPU PSCI can start.
void probe() {
    if (probed) {
        return;
    }
    probed = true;
    described = 1;
    described_mpidr[0] = this_cpu_mpidr();
    index_mpidr[0] = described_mpidr[0];
    Result<boot::DeviceTree> opened = boot_device_tree(boot_info());
    if (opened.is_error()) {
        return;
    }
    const boot::DeviceTree& dt = opened.value();
    Optional<boot::DeviceTree::Node> cpus = dt.find("/cpus");
    if (!cpus) {
        return;
    }
    dt.for_each_child(*cpus, [&](boot::DeviceTree::Node node) {
        if (dt.string_property(node, "device_type").value_or("") != StringView("cpu") ||
            !dt.is_enabled(node)) {
            return;
        }
        Optional<u64> mpidr;
        static_cast<void>(dt.for_each_reg(node, [&](u64 base, u64) {
            if (!mpidr) {
                mpidr = base & mpidr_affinity_mask;
            }
        }));
        if (!mpidr || *mpidr == described_mpidr[0]) {
            return; // unusable, or the boot CPU (already first)
        }
        if (dt.string_property(node, "enable-method").value_or("") != StringView("psci")) {
            log::warn("smp: CPU {:#x} has no PSCI enable-method; not used", *mpidr);
            return;
        }
        if (described < max_cpus) {
            described_mpidr[described++] = *mpidr;
        }
    });
}

// The first bytes of the block are read with the MMU (and so the caches) off: push them out of
// this CPU's caches to memory.
void clean_to_poc(const void* p, usize size) {
    uptr at = address_of(p) & ~uptr{15};
    uptr end = address_of(p) + size;
    for (; at < end; at += 16) { // no cache line is shorter than 16 bytes
        // SAFETY: DC CVAC at EL1 writes back a line that overlaps [p, p + size), so it lies in
        // the mapped pages of the caller's object; the line's contents stay as they were.
        asm volatile("dc cvac, %0" ::"r"(at) : "memory");
    }
    // SAFETY: DSB only waits for the cleans above to complete; it reads and writes nothing.
    asm volatile("dsb sy" ::: "memory");
}

enum class Outcome : u8 { up, failed, lost };

// Starts the CPU described as mpidr as CPU index. failed (after a log line): it is not running
// kernel code, or stopped; lost: it may still come up, too late.
Outcome start_one(u32 index, u64 mpidr) {
    u64 begin = clock::monotonic_ns();
    if (!stacks[index]) {
        Result<mm::KernelStack> stack = mm::KernelStack::allocate();
        Result<mm::KernelStack> emergency = mm::KernelStack::allocate();
        if (stack.is_error() || emergency.is_error()) {
            log::warn("smp: no memory for CPU {:#x}'s stacks", mpidr);
            return Outcome::failed;
        }
        stacks[index] = move(stack.value());
        emergency_stacks[index] = move(emergency.value());
    }
    SecondaryBoot& b = keel_secondary_boot;
    // SAFETY (the reads below): system registers of this CPU, read to copy its set-up.
    b.mair = KEEL_READ_SYSREG(mair_el1);
    b.tcr = KEEL_READ_SYSREG(tcr_el1);
    b.ttbr1 = mm::kernel_root();
    b.sctlr = KEEL_READ_SYSREG(sctlr_el1);
    b.ttbr0 = image_virt_to_phys(address_of(keel_empty_table));
    b.sp = stacks[index]->range().end;
    b.sp_el0 = emergency_stacks[index]->range().end;
    b.tpidr = index;
    __atomic_store_n(&start_status, starting, __ATOMIC_RELAXED);
    clean_to_poc(&b, sizeof(b));
    i64 result = psci_cpu_on(mpidr, image_virt_to_phys(address_of(keel_secondary_entry)),
                             image_virt_to_phys(address_of(&keel_secondary_boot)));
    if (result != 0) {
        log::warn("smp: PSCI CPU_ON of CPU {:#x} failed ({})", mpidr, result);
        return Outcome::failed;
    }
    u64 deadline = begin + start_timeout_ns;
    u32 status = starting;
    while ((status = __atomic_load_n(&start_status, __ATOMIC_ACQUIRE)) == starting &&
           clock::monotonic_ns() < deadline) {
    }
    if (status != started) {
        StringView why = "failed its set-up";
        if (status == starting) {
            why = "did not come up within 1 s";
        }
        log::warn("smp: CPU {:#x} {}", mpidr, why);
        return status == starting ? Outcome::lost : Outcome::failed;
    }
    bring_up_ns[index] = clock::monotonic_ns() - begin;
    index_mpidr[index] = mpidr;
    log::info("smp: CPU {} (MPIDR {:#x}) up in {} us", index, mpidr,
              bring_up_ns[index] / ns_per_us);
    return Outcome::up;
}
} // namespace

u32 cpu_index() {
    // SAFETY: TPIDR_EL1 holds this CPU's index from its entry on (boot.S); reading it has no
    // side effects.
    return static_cast<u32>(KEEL_READ_SYSREG(tpidr_el1));
}

u32 possible_cpus() {
    probe();
    return described;
}

u32 start_secondary_cpus(void (*entry)(u32 index, VirtRange stack)) {
    probe();
    secondary_entry = entry;
    u32 next = 1;
    for (u32 i = 1; i < described; ++i) {
        Outcome outcome = start_one(next, described_mpidr[i]);
        if (outcome == Outcome::up) {
            ++next;
        } else if (outcome == Outcome::lost) {
            break; // it might still read the block meant for the next one: start no more
        }
    }
    return next - 1;
}

u64 cpu_mpidr(u32 index) { return index < max_cpus ? index_mpidr[index] : 0; }
u64 cpu_bring_up_ns(u32 index) { return index < max_cpus ? bring_up_ns[index] : 0; }

uptr emergency_stack_top(u32 index) {
    if (index == 0) {
        return address_of(keel_emergency_stack_top);
    }
    return index < max_cpus && emergency_stacks[index] ? emergency_stacks[index]->range().end : 0;
}

} // namespace keel::arch

extern "C" [[noreturn]] void keel_arch_secondary_start() {
    using namespace keel;
    u32 index = arch::cpu_index();
    arch::enable_pan_on_this_cpu();
    if (Result<void> done = arch::init_secondary_interrupts(); done.is_error()) {
        __atomic_store_n(&arch::start_status, arch::start_failed, __ATOMIC_RELEASE);
        arch::halt();
    }
    VirtRange stack = arch::stacks[index]->range();
    void (*entry)(u32, VirtRange) = arch::secondary_entry;
    __atomic_store_n(&arch::start_status, arch::started, __ATOMIC_RELEASE);
    entry(index, stack); // the scheduler's idle loop: never returns
    arch::halt();
}
