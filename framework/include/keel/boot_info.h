// BootInfo: what the firmware and bootloader told the kernel, the same structure whichever boot
// protocol delivered it (PVH start info, multiboot2, or a device tree from OpenSBI/U-Boot).
#pragma once

#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/format.h>

namespace keel {

enum class MemoryKind : u8 {
    Usable,   // free RAM, page aligned, nothing of the boot chain in it
    Reserved, // firmware or board says hands off (E820 reserved, DT reserved-memory)
    AcpiReclaimable,
    AcpiNvs,
    Bad,
    KernelImage, // the kernel's own image, text to bss
    Initrd,      // the initramfs the bootloader loaded
    DeviceTree,  // the flattened device tree blob
    BootInfo,    // the boot protocol's own structures (PVH start info, multiboot2 info)
};

StringView to_string(MemoryKind kind);

struct MemoryRegion {
    u64 base = 0;
    u64 size = 0;
    MemoryKind kind = MemoryKind::Reserved;

    constexpr u64 end() const { return base + size; }
};

struct PhysRange {
    u64 base = 0;
    u64 size = 0;
    constexpr u64 end() const { return base + size; }
};

enum class BootProtocol : u8 { Pvh, Multiboot2, DeviceTree };
StringView to_string(BootProtocol protocol);

// Facts read from the device tree or ACPI that the boot log and later subsystems want.
struct PlatformFacts {
    FixedString<96> model;   // DT /model, or "ACPI PC" style text on x86
    FixedString<96> console; // the console device in use, e.g. "ns16550a@10000000"
    u32 cpu_count = 0;       // CPUs the firmware describes (0: not known yet)
    u64 timebase_hz = 0;     // riscv /cpus/timebase-frequency
};

struct BootInfo {
    static constexpr usize max_regions = 128;

    BootProtocol protocol = BootProtocol::DeviceTree;
    FixedString<64> bootloader;                    // multiboot2 name tag, or the DT's /chosen hints
    FixedVector<MemoryRegion, max_regions> memory; // sorted, disjoint, adjacent equal kinds merged
    FixedString<1024> cmdline;
    Optional<PhysRange> initrd;
    Optional<PhysRange> device_tree;
    Optional<u64> acpi_rsdp;
    u64 boot_cpu_id = 0;
    PlatformFacts platform;

    u64 total_bytes(MemoryKind kind) const {
        u64 total = 0;
        for (const MemoryRegion& r : memory) {
            if (r.kind == kind) {
                total += r.size;
            }
        }
        return total;
    }
};

// The boot information of the running kernel, complete before services start.
const BootInfo& boot_info();

} // namespace keel
