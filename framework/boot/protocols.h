// The boot protocols Keel understands, each turned into a BootInfo. Parsers check every length
// and address they read against what the firmware said the structure holds; a malformed
// structure is EINVAL, never a wild read.
#pragma once

#include <keel/boot_info.h>

#include "boot/memory_map.h"
#include "boot/phys_reader.h"

namespace keel::boot {

inline constexpr u32 pvh_magic = 0x336ec578;
inline constexpr u32 multiboot2_magic = 0x36d76289;

// PVH (x86 QEMU -kernel): start_info at start_info_phys. Adds RAM, reservations and the
// structures themselves to `map`; fills cmdline, initrd (first module), RSDP.
Result<void> parse_pvh(const PhysReader& mem, u64 start_info_phys, BootInfo& info,
                       MemoryMapBuilder& map);

// Multiboot2 (GRUB): the boot information structure at info_phys.
Result<void> parse_multiboot2(const PhysReader& mem, u64 info_phys, BootInfo& info,
                              MemoryMapBuilder& map);

// A flattened device tree (OpenSBI, U-Boot): /memory nodes, /reserved-memory, the memory
// reservation block, /chosen (bootargs, initrd), /model, /cpus.
Result<void> parse_device_tree(Bytes dtb, u64 dtb_phys, BootInfo& info, MemoryMapBuilder& map);

// Writes the E820 type's kind (1 RAM, 3 ACPI reclaimable, 4 NVS, 5 bad, else reserved).
MemoryKind e820_kind(u32 type);

} // namespace keel::boot
