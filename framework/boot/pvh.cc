// PVH boot (Xen's HVM direct boot ABI, which QEMU implements for -kernel): the layouts are those
// of xen/include/public/arch-x86/hvm/start_info.h.
#include "boot/protocols.h"

namespace keel::boot {

namespace {
constexpr usize start_info_v0_size = 40;
constexpr usize start_info_v1_size = 56;
constexpr usize memmap_entry_size = 24;
constexpr usize module_entry_size = 32;
constexpr u32 max_memmap_entries = 1024;
constexpr usize max_cmdline = 4096;
} // namespace

MemoryKind e820_kind(u32 type) {
    switch (type) {
    case 1:
        return MemoryKind::Usable;
    case 3:
        return MemoryKind::AcpiReclaimable;
    case 4:
        return MemoryKind::AcpiNvs;
    case 5:
        return MemoryKind::Bad;
    default:
        return MemoryKind::Reserved;
    }
}

Result<void> parse_pvh(const PhysReader& mem, u64 start_info_phys, BootInfo& info,
                       MemoryMapBuilder& map) {
    Optional<Bytes> head = mem.read(start_info_phys, start_info_v0_size);
    if (!head || read_le<u32>(*head, 0) != pvh_magic) {
        return Errno::einval;
    }
    u32 version = read_le<u32>(*head, 4);
    if (version < 1) {
        return Errno::einval; // version 0 carries no memory map; QEMU gives version 1
    }
    Optional<Bytes> si = mem.read(start_info_phys, start_info_v1_size);
    if (!si) {
        return Errno::einval;
    }
    info.protocol = BootProtocol::Pvh;
    TRY(map.add(start_info_phys, start_info_v1_size, MemoryKind::BootInfo));

    u32 nr_modules = read_le<u32>(*si, 12);
    u64 modlist = read_le<u64>(*si, 16);
    u64 cmdline = read_le<u64>(*si, 24);
    u64 rsdp = read_le<u64>(*si, 32);
    u64 memmap = read_le<u64>(*si, 40);
    u32 memmap_entries = read_le<u32>(*si, 48);

    if (cmdline != 0) {
        Optional<StringView> text = mem.read_c_string(cmdline, max_cmdline);
        if (!text) {
            return Errno::einval;
        }
        info.cmdline.write(*text);
    }
    if (rsdp != 0) {
        info.acpi_rsdp = rsdp;
    }
    if (memmap_entries == 0 || memmap_entries > max_memmap_entries) {
        return Errno::einval;
    }
    Optional<Bytes> entries = mem.read(memmap, memmap_entries * memmap_entry_size);
    if (!entries) {
        return Errno::einval;
    }
    for (u32 i = 0; i < memmap_entries; ++i) {
        usize at = i * memmap_entry_size;
        TRY(map.add(read_le<u64>(*entries, at), read_le<u64>(*entries, at + 8),
                    e820_kind(read_le<u32>(*entries, at + 16))));
    }
    if (nr_modules > 0) {
        Optional<Bytes> module = mem.read(modlist, module_entry_size);
        if (!module) {
            return Errno::einval;
        }
        PhysRange initrd{read_le<u64>(*module, 0), read_le<u64>(*module, 8)};
        if (initrd.size != 0 && initrd.end() > initrd.base) {
            info.initrd = initrd;
            TRY(map.add(initrd.base, initrd.size, MemoryKind::Initrd));
        }
    }
    return {};
}

} // namespace keel::boot
