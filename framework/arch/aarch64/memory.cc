// The boot address space built by boot.S (layout.h): linear map, kernel image, device window.
#include <arch/memory.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/layout.h"

extern "C" {
extern const char __kernel_start[];
extern const char __kernel_end[];
extern char keel_boot_stack_bottom[];
extern char keel_boot_stack_top[];
extern keel::u64 keel_device_l3[512]; // the device window's last-level table (boot.S)
}

namespace keel::arch {

namespace {
constexpr u64 page_size = 4096;
constexpr u64 window_pages = KEEL_DEVICE_WINDOW_SIZE / page_size;
constexpr u64 max_phys = u64{1} << 48; // the most a 48-bit output address can name
constexpr u64 device_page = PTE_TABLE | PTE_ATTR_DEVICE | PTE_AF | PTE_PXN | PTE_UXN;

constinit u64 load_base = 0;
} // namespace

void set_kernel_load_base(u64 phys) { load_base = phys; }

u64 image_virt_to_phys(uptr va) { return load_base + (va - address_of(__kernel_start)); }

uptr phys_to_virt(u64 phys) { return KEEL_LINEAR_BASE + phys; }

u64 early_phys_limit() { return KEEL_LINEAR_SIZE; }

PhysRange kernel_image_phys() {
    return {load_base, static_cast<u64>(__kernel_end - __kernel_start)};
}

VirtRange boot_stack() {
    return {address_of(keel_boot_stack_bottom), address_of(keel_boot_stack_top)};
}

DeviceWindow device_window() { return {KEEL_DEVICE_WINDOW, window_pages, max_phys}; }

void map_device_window_slot(usize slot, u64 phys) {
    // SAFETY: slot < window_pages (the generic window checks); the slot was invalid, and the
    // architecture never caches invalid entries, so no TLB maintenance is due.
    keel_device_l3[slot] = phys | device_page;
}

void device_window_sync() {
    // SAFETY: barriers only; they make the new entries visible to the table walker.
    asm volatile("dsb ishst\n\tisb" ::: "memory");
}

} // namespace keel::arch
