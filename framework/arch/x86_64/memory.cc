// The memory concern of the arch contract over the boot address space entry.S builds.
#include <arch/memory.h>

#include "address.h"
#include "x86.h"

extern "C" const char __kernel_phys_start[]; // kernel.ld: absolute physical addresses
extern "C" const char __kernel_phys_end[];
extern "C" const char keel_x86_boot_stack_bottom[]; // entry.S
extern "C" const char keel_x86_boot_stack_top[];
extern "C" keel::u64 keel_x86_fixmap_pt[keel::x86::fixmap_pages];

namespace keel::arch {

namespace {
constexpr u64 pte_present = 1;
constexpr u64 pte_writable = 1 << 1;
constexpr u64 pte_write_through = 1 << 3; // PWT|PCD select PAT entry 3: uncached
constexpr u64 pte_cache_disable = 1 << 4;
constexpr u64 pte_no_execute = u64{1} << 63;
constexpr u64 max_phys = u64{1} << 52;

// Slots of keel_x86_fixmap_pt handed out so far; early boot runs on one CPU, so no lock.
} // namespace

uptr phys_to_virt(u64 phys) { return x86::linear_map_base + phys; }

u64 early_phys_limit() { return x86::linear_map_size; }

PhysRange kernel_image_phys() {
    u64 start = address_of(__kernel_phys_start);
    u64 end = address_of(__kernel_phys_end);
    return {start, end - start};
}

VirtRange boot_stack() {
    return {address_of(keel_x86_boot_stack_bottom), address_of(keel_x86_boot_stack_top)};
}

DeviceWindow device_window() { return {x86::fixmap_base, x86::fixmap_pages, max_phys}; }

void map_device_window_slot(usize slot, u64 phys) {
    bool nx = (x86::rdmsr(x86::msr_efer) & x86::efer_nxe) != 0;
    u64 flags = pte_present | pte_writable | pte_write_through | pte_cache_disable |
                (nx ? pte_no_execute : 0);
    // SAFETY: slot < fixmap_pages and unused (the generic window checks); entry.S links this
    // table into the page tables for fixmap_base.
    keel_x86_fixmap_pt[slot] = phys | flags;
    // SAFETY: drops any stale translation of the page just mapped.
    asm volatile("invlpg (%0)" : : "r"(x86::fixmap_base + slot * x86::page_size) : "memory");
}

void device_window_sync() {} // invlpg per slot already did it

} // namespace keel::arch
