// riscv64: the memory concern of the arch contract, over the boot mapping of early_paging.cc.
#include <arch/memory.h>

#include "boot_layout.h"

extern "C" const char boot_stack_bottom[];
extern "C" const char boot_stack_top[];

namespace keel::arch {

using namespace riscv;

uptr phys_to_virt(u64 phys) { return boot_mapping.linear_base + phys; }

u64 early_phys_limit() { return boot_mapping.linear_size; }

PhysRange kernel_image_phys() { return {boot_mapping.load_phys, boot_mapping.image_size}; }

VirtRange boot_stack() {
    return {reinterpret_cast<uptr>(boot_stack_bottom), reinterpret_cast<uptr>(boot_stack_top)};
}

namespace {
// What map_device_early handed out, so that asking again for a range returns the same window.
struct DeviceMapping {
    u64 phys = 0; // page aligned
    usize pages = 0;
    usize first_slot = 0;
};
constinit FixedVector<DeviceMapping, 16> device_mappings;
constinit usize device_slots_used = 0;
} // namespace

// Early boot is single-threaded: no lock yet. The window never unmaps.
Result<uptr> map_device_early(u64 phys, usize size) {
    u64 end = 0;
    if (size == 0 || !checked_add(phys, u64{size}, end)) {
        return Errno::einval;
    }
    u64 first = phys & ~(page_size - 1);
    usize pages = static_cast<usize>((end - first + page_size - 1) / page_size);
    for (const DeviceMapping& m : device_mappings) {
        if (first >= m.phys && end <= m.phys + m.pages * page_size) {
            return device_window_base + m.first_slot * page_size + (phys - m.phys);
        }
    }
    if (pages > device_window_pages - device_slots_used) {
        return Errno::enomem;
    }
    usize slot = device_slots_used;
    if (device_mappings.push({first, pages, slot}).is_error()) {
        return Errno::enomem;
    }
    u64* table = device_window_table();
    for (usize i = 0; i < pages; ++i) {
        // SAFETY: slot + i < device_window_pages, the table's size (checked above). Device
        // memory needs no special PTE bits without Svpbmt: the platform's PMAs make it I/O.
        table[slot + i] =
            pte::leaf(first + i * page_size, pte::read | pte::write | pte::kernel_leaf);
    }
    device_slots_used += pages;
    uptr virt = device_window_base + slot * page_size;
    // SAFETY: the new entries were invalid before; fence so the walker sees them.
    asm volatile("sfence.vma zero, zero" ::: "memory");
    return virt + (phys - first);
}

} // namespace keel::arch
