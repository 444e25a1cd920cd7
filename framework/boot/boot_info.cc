#include <keel/boot_info.h>

namespace keel {

StringView to_string(MemoryKind kind) {
    switch (kind) {
    case MemoryKind::Usable:
        return "usable";
    case MemoryKind::Reserved:
        return "reserved";
    case MemoryKind::AcpiReclaimable:
        return "ACPI data";
    case MemoryKind::AcpiNvs:
        return "ACPI NVS";
    case MemoryKind::Bad:
        return "bad";
    case MemoryKind::KernelImage:
        return "kernel";
    case MemoryKind::Initrd:
        return "initrd";
    case MemoryKind::DeviceTree:
        return "device tree";
    case MemoryKind::BootInfo:
        return "boot info";
    }
    return "?";
}

StringView to_string(BootProtocol protocol) {
    switch (protocol) {
    case BootProtocol::Pvh:
        return "PVH";
    case BootProtocol::Multiboot2:
        return "multiboot2";
    case BootProtocol::DeviceTree:
        return "device tree";
    }
    return "?";
}

} // namespace keel
