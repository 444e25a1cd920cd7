// The SMP concern of the arch contract (arch/smp.h) on x86_64: the per-CPU block behind GS, the
// CPUs of the ACPI MADT, INIT-SIPI-SIPI through the local APIC's ICR with a real-mode trampoline
// (ap_boot.S), and fixed IPIs on their own vector.
//
// Per CPU: a block in the image whose first word is the CPU's index (GS base, set by entry.S for
// the boot CPU before any C++ runs, by ap_boot.S for the others), its GDT and TSS
// (cpu_tables.cc), fault state (traps.cc), paging state (paging.cc), timer-interrupt count
// (interrupts.cc), and for a secondary CPU a guarded stack and a guarded emergency stack. The IDT
// is shared; each CPU's local APIC sits at the same address (xAPIC), so one window serves all.
//
// The trampoline page: physical page 0. The boot allocator never hands page 0 out and never
// gives it to the frame allocator (a zero physical address doubles as "none"), so it is the one
// page below 1 MiB that nothing else in Keel can own; start_secondary_cpus checks that the
// memory map calls it usable RAM and that the frame table keeps it reserved. Under it, the real
// mode IVT and BIOS data are the firmware's and long dead once Keel runs.
#include <arch/smp.h>

#include <keel/clock.h>
#include <keel/ktl/array.h>
#include <keel/log.h>

#include <arch/cpu.h>
#include <arch/memory.h>

#include "address.h"
#include "apic.h"
#include "boot/start.h"
#include "mm/cpu_local.h"
#include "mm/frames.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"
#include "user_layout.h"
#include "x86.h"

#include <string.h>

extern "C" const char keel_x86_trampoline_start[];
extern "C" const char keel_x86_trampoline_end[];
extern "C" const char keel_x86_trampoline_params[];

namespace keel::x86 {
struct PerCpu {
    u64 index; // first: arch::cpu_index() reads %gs:0
    u64 apic_id;
    u64 kernel_rsp; // user_entry.S: enter_user's frame, where traps from user mode land
    u64 user_rsp;   // user_entry.S: scratch for SYSCALL's stack switch
};
static_assert(__builtin_offsetof(PerCpu, kernel_rsp) == PERCPU_KERNEL_RSP);
static_assert(__builtin_offsetof(PerCpu, user_rsp) == PERCPU_USER_RSP);
} // namespace keel::x86

// What ap_boot.S reads, by offset, once it runs in the kernel image: the kernel root, the stack
// top and the GS base of the CPU being started (one at a time).
struct KeelX86ApBoot {
    keel::u64 kernel_root;
    keel::u64 stack_top;
    keel::u64 gs_base;
};
extern "C" constinit KeelX86ApBoot keel_x86_ap_boot{};
extern "C" constinit keel::Array<keel::x86::PerCpu, keel::max_cpus> keel_x86_per_cpu{};
static_assert(__builtin_offsetof(KeelX86ApBoot, stack_top) == 8);
static_assert(__builtin_offsetof(KeelX86ApBoot, gs_base) == 16);

namespace keel::x86 {

namespace {
constexpr u64 trampoline_phys = 0; // see above
constexpr u64 pte_present_writable = 0x3;
constexpr u64 pde_large = 0x83; // present, writable, 2 MiB
constexpr u64 ns_per_us = 1000;
constexpr u64 init_delay_ns = 10 * 1000 * ns_per_us; // SDM 8.4.4.1: INIT, 10 ms, SIPI
constexpr u64 sipi_delay_ns = 200 * ns_per_us;       // then 200 us before the second SIPI
constexpr u64 start_timeout_ns = 1000 * 1000 * ns_per_us;

// ICR (SDM vol. 3, 11.6.1).
constexpr u32 icr_delivery_init = 0x5 << 8;
constexpr u32 icr_delivery_startup = 0x6 << 8;
constexpr u32 icr_level_assert = 1 << 14;
constexpr u32 icr_pending = 1 << 12;

// The temporary root a starting CPU turns paging on with: the kernel root's upper half, and
// the low 2 MiB identity-mapped (the trampoline page) through ap_pdpt and ap_pd. In the image,
// so below 4 GiB: the trampoline loads CR3 in 32-bit mode.
struct alignas(4096) Table {
    Array<u64, 512> entries{};
};
constinit Table ap_pml4{};
constinit Table ap_pdpt{};
constinit Table ap_pd{};

// What a secondary CPU owns, kept for good (a CPU never goes offline).
struct Secondary {
    Optional<mm::KernelStack> stack;
    Optional<mm::KernelStack> emergency;
    bool up = false;
    u64 started_ns = 0;
};
constinit Array<Secondary, max_cpus> secondaries{};
constinit void (*secondary_entry)(u32, VirtRange) = nullptr;

u64 image_phys(const void* p) { return address_of(p) - kernel_vma; }

// Sends one ICR command; waits (bounded) until the APIC has sent it. Interrupts masked: an
// interrupt handler sending an IPI between the two writes would change the destination.
void send_icr(u32 apic_id, u32 low) {
    LocalApic& apic = local_apic();
    u64 saved = arch::save_and_disable_interrupts();
    apic.write(LocalApic::reg_icr_high, apic_id << 24);
    apic.write(LocalApic::reg_icr_low, low);
    for (u32 spin = 0; spin < 1000000 && (apic.read(LocalApic::reg_icr_low) & icr_pending) != 0;
         ++spin) {
    }
    arch::restore_interrupts(saved);
}

void wait_ns(u64 ns) {
    u64 until = clock::monotonic_ns() + ns;
    while (clock::monotonic_ns() < until) {
    }
}

bool is_up(u32 index) { return __atomic_load_n(&secondaries[index].up, __ATOMIC_ACQUIRE); }

// Page 0 must be RAM the memory map calls usable and nobody's: not handed to the frame
// allocator (reserved in the frame table when it has a record).
bool trampoline_page_usable() {
    bool usable = false;
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind == MemoryKind::Usable && r.base <= trampoline_phys &&
            r.end() >= trampoline_phys + page_size) {
            usable = true;
        }
    }
    u64 pfn = mm::pfn_of(trampoline_phys);
    return usable && (!mm::is_managed(pfn) || mm::page_info(pfn).state == mm::PageState::reserved);
}

void prepare_trampoline() {
    usize size = static_cast<usize>(keel_x86_trampoline_end - keel_x86_trampoline_start);
    usize params = static_cast<usize>(keel_x86_trampoline_params - keel_x86_trampoline_start);
    // SAFETY: page 0 is usable RAM that nothing else owns (trampoline_page_usable), mapped
    // read-write by the linear map; the trampoline is far smaller than a page.
    auto* page = reinterpret_cast<u8*>(arch::phys_to_virt(trampoline_phys));
    memcpy(page, keel_x86_trampoline_start, size);
    u32 cr3 = static_cast<u32>(image_phys(&ap_pml4));
    u32 efer = static_cast<u32>(rdmsr(msr_efer) & ~efer_lma);
    memcpy(page + params, &cr3, sizeof(cr3));
    memcpy(page + params + 4, &efer, sizeof(efer));

    // The kernel half as it is now: its PML4 entries never change (the dynamic area's tables
    // were prepared at boot), so later mappings are reached through them too.
    // SAFETY: the kernel root is a live, 8-byte aligned page-table page of 512 entries, which
    // the linear map covers; it is only read here.
    auto* root = reinterpret_cast<const u64*>(arch::phys_to_virt(mm::kernel_root()));
    for (usize i = 256; i < 512; ++i) {
        // SAFETY: the kernel root is a live page table page, read through the linear map.
        ap_pml4.entries[i] = root[i];
    }
    ap_pml4.entries[0] = image_phys(&ap_pdpt) | pte_present_writable;
    ap_pdpt.entries[0] = image_phys(&ap_pd) | pte_present_writable;
    ap_pd.entries[0] = 0 | pde_large; // physical 0 .. 2 MiB at 0, the trampoline included
}

// Starts the CPU with APIC id apic_id as index; true once it said it is up.
bool start_one(u32 index, u32 apic_id) {
    Secondary& s = secondaries[index];
    Result<mm::KernelStack> stack = mm::KernelStack::allocate();
    Result<mm::KernelStack> emergency = mm::KernelStack::allocate();
    if (stack.is_error() || emergency.is_error()) {
        log::warn("smp: no stacks for CPU {} (APIC id {})", index, apic_id);
        return false;
    }
    s.stack = move(stack.value());
    s.emergency = move(emergency.value());
    keel_x86_per_cpu[index].index = index;
    keel_x86_per_cpu[index].apic_id = apic_id;
    keel_x86_ap_boot.kernel_root = mm::kernel_root();
    keel_x86_ap_boot.stack_top = s.stack->range().end;
    keel_x86_ap_boot.gs_base = address_of(&keel_x86_per_cpu[index]);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    u64 start = clock::monotonic_ns();
    s.started_ns = start;
    send_icr(apic_id, icr_delivery_init | icr_level_assert);
    wait_ns(init_delay_ns);
    u32 vector = static_cast<u32>(trampoline_phys >> 12);
    for (int attempt = 0; attempt < 2 && !is_up(index); ++attempt) {
        send_icr(apic_id, icr_delivery_startup | icr_level_assert | vector);
        u64 until = clock::monotonic_ns() + sipi_delay_ns;
        while (!is_up(index) && clock::monotonic_ns() < until) {
        }
    }
    u64 deadline = start + start_timeout_ns;
    while (!is_up(index) && clock::monotonic_ns() < deadline) {
    }
    u64 took = clock::monotonic_ns() - start;
    if (!is_up(index)) {
        log::warn("smp: CPU {} (APIC id {}) did not start within {} ms", index, apic_id,
                  start_timeout_ns / 1000000);
        return false;
    }
    log::info("smp: CPU {} (APIC id {}) up in {} us (INIT wait {} us included)", index, apic_id,
              took / ns_per_us, init_delay_ns / ns_per_us);
    return true;
}
} // namespace

u32 apic_id_of(u32 cpu) { return static_cast<u32>(keel_x86_per_cpu[cpu].apic_id); }

VirtRange secondary_emergency_stack(u32 cpu) {
    return secondaries[cpu].emergency ? secondaries[cpu].emergency->range() : VirtRange{};
}

} // namespace keel::x86

// A secondary CPU's first C++ (ap_boot.S): on its stack, on the kernel root, GS set; interrupts
// masked and no IDT yet.
extern "C" [[noreturn]] void keel_x86_ap_start() {
    using namespace keel;
    using namespace keel::x86;
    u32 index = arch::cpu_index();
    Secondary& s = secondaries[index];
    init_cpu_tables(s.emergency->range());
    load_idt();
    enable_cpu_features();
    load_kernel_root(mm::kernel_root());
    (void)local_apic().init_this_cpu(madt());
    start_lapic_timer();
    VirtRange stack = s.stack->range();
    __atomic_store_n(&s.up, true, __ATOMIC_RELEASE);
    secondary_entry(index, stack);
    arch::halt();
}

namespace keel::arch {

u32 cpu_index() {
    u64 index;
    // SAFETY: GS points at this CPU's PerCpu block from the first C++ instruction on (entry.S,
    // ap_boot.S), whose first word is the index. Volatile: a task may move between CPUs.
    asm volatile("movq %%gs:0, %0" : "=r"(index));
    return static_cast<u32>(index);
}

u32 possible_cpus() {
    const x86::Madt& madt = x86::madt();
    usize listed = min<usize>(madt.cpus.size(), max_cpus);
    return listed == 0 ? 1 : static_cast<u32>(listed);
}

u32 start_secondary_cpus(void (*entry)(u32 index, VirtRange stack)) {
    using namespace x86;
    u32 boot_apic = local_apic().id();
    keel_x86_per_cpu[0].apic_id = boot_apic;
    u32 possible = possible_cpus();
    if (possible <= 1) {
        return 0;
    }
    if (!trampoline_page_usable()) {
        log::warn("smp: physical page 0 is not free usable RAM: no trampoline, one CPU");
        return 0;
    }
    secondary_entry = entry;
    prepare_trampoline();
    u32 started = 0;
    u32 index = 1;
    for (const Madt::Cpu& cpu : madt().cpus) {
        if (cpu.apic_id == boot_apic) {
            continue;
        }
        if (index >= possible) {
            break;
        }
        // A CPU that failed keeps its index (it may still wake up late on these stacks).
        if (start_one(index, cpu.apic_id)) {
            ++started;
        }
        ++index;
    }
    // The identity map is not needed any more; the trampoline page keeps its copy (harmless).
    ap_pml4.entries[0] = 0;
    return started;
}

void send_ipi(u32 cpu) {
    if (cpu >= max_cpus) {
        return;
    }
    x86::send_icr(x86::apic_id_of(cpu), x86::icr_level_assert | x86::vector_ipi);
}

} // namespace keel::arch
