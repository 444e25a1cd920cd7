// riscv64: the SMP concern of the arch contract (arch/smp.h).
//
// - cpu_index() is tp: entry.S sets 0 on the boot hart, smp_entry.S the index from the hart's
//   StartBlock before any C++ runs. Kernel code never changes tp (no TLS); a trap saves and
//   restores it with the other registers.
// - possible_cpus(): the boot hart, then the other /cpus harts of the device tree in document
//   order that are enabled and have an S-mode MMU (mmu-type other than riscv,none).
// - start_secondary_cpus(): SBI HSM hart_start, one hart at a time, at the physical address of
//   smp_entry.S (MMU off), opaque = the hart's StartBlock. Each gets a guarded kernel stack, a
//   TrapCpu (sscratch) and a guarded emergency stack of EMERGENCY_STACK_SIZE; satp is the kernel
//   root with the boot hart's mode (ASID 0).
// - send_ipi(): SBI IPI (sPI, or the legacy call) to the CPU's hart, which takes a supervisor
//   software interrupt; interrupts.cc clears SSIP and calls smp::handle_ipi().
#include <arch/smp.h>

#include <keel/boot_info.h>
#include <keel/clock.h>
#include <keel/ktl/array.h>
#include <keel/log.h>

#include <arch/cpu.h>

#include "address.h"
#include "boot_layout.h"
#include "csr.h"
#include "device_tree.h"
#include "irq_entry.h"
#include "mm/cpu_local.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"
#include "sbi.h"
#include "smp_layout.h"
#include "trap.h"

extern "C" const char keel_riscv_secondary_entry[];
extern "C" keel::u64 keel_riscv_secondary_satp;

namespace keel::arch {

using namespace riscv;

namespace {

constexpr u64 start_timeout_ns = u64{1000} * 1000 * 1000;

// What smp_entry.S and keel_riscv_secondary_main read; written before hart_start.
struct StartBlock {
    u64 index;
    uptr stack_top;
    TrapCpu* trap;
    u64 hart;
    void (*entry)(u32 index, VirtRange stack);
    VirtRange stack;
    u64 up; // set by the hart just before it calls entry
};
static_assert(__builtin_offsetof(StartBlock, index) == START_INDEX);
static_assert(__builtin_offsetof(StartBlock, stack_top) == START_STACK_TOP);
static_assert(__builtin_offsetof(StartBlock, trap) == START_TRAP_CPU);

struct Harts {
    bool probed = false;
    u32 count = 0;                 // possible_cpus()
    Array<u64, max_cpus> ids{};    // the boot hart first, then the tree's order
    u32 assigned = 1;              // CPU indices handed out (0: the boot hart)
    Array<u64, max_cpus> of_cpu{}; // CPU index -> hart id
    bool ipi_extension = false;    // SBI sPI; else the legacy send_ipi
};
constinit Harts harts{};

constinit Array<StartBlock, max_cpus> blocks{};
// Index 0 unused: the boot hart's trap block and emergency stack are in trap_entry.S.
alignas(64) constinit Array<TrapCpu, max_cpus> trap_cpus{};
constinit Array<Optional<mm::KernelStack>, max_cpus> stacks{};
constinit Array<Optional<mm::KernelStack>, max_cpus> emergency_stacks{};

bool has_s_mode_mmu(const boot::DeviceTree& dt, boot::DeviceTree::Node cpu) {
    Optional<StringView> mmu = dt.string_property(cpu, "mmu-type");
    return mmu && *mmu != StringView("riscv,none");
}

void probe_harts() {
    if (harts.probed) {
        return;
    }
    harts.probed = true;
    u64 boot_hart = boot_info().boot_cpu_id;
    harts.ids[0] = boot_hart;
    harts.of_cpu[0] = boot_hart;
    harts.count = 1;
    Optional<boot::DeviceTree> dt = boot_device_tree();
    Optional<boot::DeviceTree::Node> cpus = dt ? dt->find("/cpus") : none;
    if (!cpus) {
        return;
    }
    dt->for_each_child(*cpus, [&](boot::DeviceTree::Node node) {
        Optional<StringView> type = dt->string_property(node, "device_type");
        Optional<u64> reg = dt->integer_property(node, "reg");
        if (!type || *type != StringView("cpu") || !reg || *reg == boot_hart ||
            !dt->is_enabled(node) || !has_s_mode_mmu(*dt, node) || harts.count >= max_cpus) {
            return;
        }
        harts.ids[harts.count++] = *reg;
    });
}

} // namespace

u32 cpu_index() {
    u64 index = 0;
    // SAFETY: reads tp, which holds this CPU's index (entry.S, smp_entry.S).
    asm volatile("mv %0, tp" : "=r"(index));
    return static_cast<u32>(index);
}

u32 possible_cpus() {
    probe_harts();
    return harts.count;
}

u32 start_secondary_cpus(void (*entry)(u32 index, VirtRange stack)) {
    probe_harts();
    if (harts.count < 2) {
        return 0;
    }
    if (!sbi::has_extension(sbi::ext_hsm)) {
        log::warn("smp: the SBI firmware has no HSM extension: {} harts stay stopped",
                  harts.count - 1);
        return 0;
    }
    harts.ipi_extension = sbi::has_extension(sbi::ext_ipi);
    keel_riscv_secondary_satp =
        static_cast<u64>(boot_mapping.mode) << csr::satp_mode_shift | mm::kernel_root() >> 12;
    u64 entry_phys =
        boot_mapping.load_phys + (address_of(keel_riscv_secondary_entry) - kernel_base);

    u32 started = 0;
    for (u32 i = 1; i < harts.count; ++i) {
        u64 hart = harts.ids[i];
        u32 index = harts.assigned;
        Result<mm::KernelStack> stack = mm::KernelStack::allocate();
        Result<mm::KernelStack> emergency =
            mm::KernelStack::allocate(EMERGENCY_STACK_SIZE / page_size);
        if (stack.is_error() || emergency.is_error()) {
            log::warn("smp: no memory for hart {}'s stacks: {} harts stay stopped", hart,
                      harts.count - i);
            break;
        }
        VirtRange range = stack.value().range();
        TrapCpu& trap = trap_cpus[index];
        trap = {};
        trap.stack_limit = range.base;
        trap.emergency_top = emergency.value().range().end;
        StartBlock& block = blocks[index];
        block = {index, range.end, &trap, hart, entry, range, 0};
        harts.of_cpu[index] = hart;

        // The block, the trap block and the new stacks' page-table entries are visible to the
        // hart before it starts (it reads them once its satp is on).
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        u64 begin = clock::monotonic_ns();
        // SAFETY: the block's address is only passed along; the hart reads it as StartBlock.
        sbi::Result result = sbi::call(sbi::ext_hsm, sbi::hsm_hart_start, hart, entry_phys,
                                       reinterpret_cast<uptr>(&block));
        if (result.error != 0) {
            log::warn("smp: SBI hart_start of hart {} failed (error {})", hart, result.error);
            continue; // the stacks are freed, the index is used for the next hart
        }
        stacks[index] = stack.release_value();
        emergency_stacks[index] = emergency.release_value();
        harts.assigned = index + 1; // even if it is late: it may still come up with this index
        while (__atomic_load_n(&block.up, __ATOMIC_ACQUIRE) == 0 &&
               clock::monotonic_ns() - begin < start_timeout_ns) {
        }
        u64 took = clock::monotonic_ns() - begin;
        if (__atomic_load_n(&block.up, __ATOMIC_ACQUIRE) == 0) {
            log::warn("smp: hart {} (CPU {}) did not come up within 1 s", hart, index);
            continue;
        }
        log::info("smp: hart {} is CPU {} (up in {} us)", hart, index, took / 1000);
        ++started;
    }
    return started;
}

void send_ipi(u32 cpu) {
    if (cpu >= harts.assigned) {
        return;
    }
    u64 hart = harts.of_cpu[cpu];
    if (harts.ipi_extension) {
        sbi::call(sbi::ext_ipi, 0, 1, hart); // hart_mask 1 at hart_mask_base hart
        return;
    }
    if (hart < 64) {
        u64 mask = u64{1} << hart;
        // SAFETY: the legacy call reads the mask through the given (kernel) address.
        sbi::call(sbi::ext_legacy_send_ipi, 0, reinterpret_cast<uptr>(&mask));
    }
}

namespace riscv {

u64 hart_of_cpu(u32 cpu) { return cpu < harts.assigned ? harts.of_cpu[cpu] : ~u64{0}; }

TrapCpu& trap_cpu_of(u32 cpu) { return cpu == 0 ? keel_riscv_boot_trap_cpu : trap_cpus[cpu]; }

} // namespace riscv

} // namespace keel::arch

using namespace keel;
using namespace keel::arch::riscv;

// smp_entry.S, on the hart's stack with paging, tp, sscratch and stvec set, interrupts masked.
extern "C" [[noreturn]] void keel_riscv_secondary_main(keel::arch::StartBlock& block) {
    init_secondary_interrupts(block.hart);
    u32 index = static_cast<u32>(block.index);
    VirtRange stack = block.stack;
    void (*entry)(u32, VirtRange) = block.entry;
    __atomic_store_n(&block.up, u64{1}, __ATOMIC_RELEASE);
    entry(index, stack);
    keel::arch::halt();
}
