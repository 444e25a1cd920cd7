// riscv64: the memory concern of the arch contract, over the boot mapping of early_paging.cc.
#include <arch/memory.h>

#include "address.h"
#include "boot_layout.h"

extern "C" const char boot_stack_bottom[];
extern "C" const char boot_stack_top[];

namespace keel::arch {

using namespace riscv;

uptr phys_to_virt(u64 phys) { return boot_mapping.linear_base + phys; }

u64 early_phys_limit() { return boot_mapping.linear_size; }

PhysRange kernel_image_phys() { return {boot_mapping.load_phys, boot_mapping.image_size}; }

VirtRange boot_stack() { return {address_of(boot_stack_bottom), address_of(boot_stack_top)}; }

DeviceWindow device_window() {
    // Physical addresses are 56 bits under both Sv39 and Sv48.
    return {device_window_base, device_window_pages, u64{1} << 56};
}

void map_device_window_slot(usize slot, u64 phys) {
    // SAFETY: slot < device_window_pages, the table's size (the generic window checks). Device
    // memory needs no special PTE bits without Svpbmt: the platform's PMAs make it I/O.
    device_window_table()[slot] = pte::leaf(phys, pte::read | pte::write | pte::kernel_leaf);
}

void device_window_sync() {
    // SAFETY: the new entries were invalid before; fence so the walker sees them.
    asm volatile("sfence.vma zero, zero" ::: "memory");
}

} // namespace keel::arch
