// riscv64: the kernel's virtual layout, the boot address space entry.S and early_paging.cc build,
// and what memory.cc and paging.cc read back from it. Private to framework/arch/riscv64.
//
//   0xffff800000000000  linear map of physical memory, 512 GiB    (Sv48)
//   0xffff808000000000  dynamic area (kernel stacks, IoMem), 512 GiB (Sv48)
//   0xffffffc000000000  linear map of physical memory, 128 GiB    (Sv39)
//   0xffffffe000000000  device window for map_device_early, 2 MiB of 4 KiB pages
//   0xfffffff000000000  dynamic area, 16 GiB                      (Sv39)
//   0xffffffff80000000  the kernel image (kernel.ld), 4 KiB pages, up to 16 MiB
// plus, until keel_riscv_drop_identity_map(), the image's gigapages identity mapped. The boot
// tables are used until the generic kernel space replaces them (activate_kernel_root); the
// linear bases and the device window keep their addresses across that switch.
//
// The dynamic area's top-level tables are created up front and shared by every user root, so
// Sv39 (one table per GiB) gets a smaller one than Sv48 (one table per 512 GiB).
#pragma once

#include <keel/ktl/types.h>

namespace keel::arch::riscv {

inline constexpr u64 page_size = 4096;
inline constexpr u64 gigapage_size = u64{1} << 30;
inline constexpr usize table_entries = 512;

inline constexpr uptr kernel_base = 0xffffffff80000000;
inline constexpr usize kernel_page_tables = 8; // of 2 MiB each: kernel.ld's 16 MiB limit
inline constexpr uptr device_window_base = 0xffffffe000000000;
inline constexpr usize device_window_pages = table_entries;
inline constexpr uptr sv48_linear_base = 0xffff800000000000;
inline constexpr u64 sv48_linear_size = 512 * gigapage_size;
inline constexpr uptr sv39_linear_base = 0xffffffc000000000;
inline constexpr u64 sv39_linear_size = 128 * gigapage_size;
inline constexpr uptr sv48_dynamic_base = 0xffff808000000000;
inline constexpr u64 sv48_dynamic_size = 512 * gigapage_size;
inline constexpr uptr sv39_dynamic_base = 0xfffffff000000000;
inline constexpr u64 sv39_dynamic_size = 16 * gigapage_size;
// The user half: the lower half of the mode's address space.
inline constexpr uptr sv48_user_end = 0x0000800000000000;
inline constexpr uptr sv39_user_end = 0x0000004000000000;

// satp.MODE values.
enum class PagingMode : u64 { Sv39 = 8, Sv48 = 9 };

// Page table entry bits (privileged spec, section "Sv39").
namespace pte {
inline constexpr u64 valid = 1 << 0;
inline constexpr u64 read = 1 << 1;
inline constexpr u64 write = 1 << 2;
inline constexpr u64 execute = 1 << 3;
inline constexpr u64 global = 1 << 5;
inline constexpr u64 accessed = 1 << 6;
inline constexpr u64 dirty = 1 << 7;
// Leaves are made accessed and dirty up front: hardware that does not set them would fault.
inline constexpr u64 kernel_leaf = valid | global | accessed | dirty;
constexpr u64 leaf(u64 phys, u64 permissions) { return (phys >> 12) << 10 | permissions; }
constexpr u64 table(u64 phys) { return (phys >> 12) << 10 | valid; }
} // namespace pte

// Filled in before the MMU is on, read-only afterwards.
struct BootMapping {
    u64 load_phys = 0;  // where the bootloader put the image (its first byte)
    u64 image_size = 0; // __kernel_end - __kernel_start
    PagingMode mode = PagingMode::Sv39;
    uptr linear_base = 0;
    u64 linear_size = 0;
    u64 identity_first = 0; // gigapage numbers of the temporary identity map
    u64 identity_last = 0;
};
extern BootMapping boot_mapping;

// The device window's last-level table (device_window_pages entries).
u64* device_window_table();

} // namespace keel::arch::riscv
