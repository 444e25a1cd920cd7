// Multiboot2 (GRUB): the boot information is a list of 8-byte-aligned tags, each {type, size}.
// Layouts from the Multiboot2 specification, section 3.6.
#include "boot/protocols.h"

namespace keel::boot {

namespace {
enum TagType : u32 {
    tag_end = 0,
    tag_cmdline = 1,
    tag_bootloader_name = 2,
    tag_module = 3,
    tag_mmap = 6,
    tag_acpi_old = 14,
    tag_acpi_new = 15,
};
constexpr u32 max_info_size = 1 << 20;

StringView tag_string(Bytes tag, usize offset) {
    // A string that fills the rest of the tag, NUL-terminated inside it.
    usize len = 0;
    while (offset + len < tag.size() && tag[offset + len] != 0) {
        ++len;
    }
    if (offset + len >= tag.size()) {
        return {};
    }
    Span<const u8> bytes = tag.subspan(offset, len);
    // StringView over the same bytes: chars and bytes have the same representation.
    return StringView(Span<const char>::from_raw(
        static_cast<const char*>(static_cast<const void*>(bytes.data())), bytes.size()));
}
} // namespace

Result<void> parse_multiboot2(const PhysReader& mem, u64 info_phys, BootInfo& info,
                              MemoryMapBuilder& map) {
    Optional<Bytes> head = mem.read(info_phys, 8);
    if (!head) {
        return Errno::einval;
    }
    u32 total = read_le<u32>(*head, 0);
    if (total < 16 || total > max_info_size) {
        return Errno::einval;
    }
    Optional<Bytes> whole = mem.read(info_phys, total);
    if (!whole) {
        return Errno::einval;
    }
    Bytes all = *whole;
    info.protocol = BootProtocol::Multiboot2;
    TRY(map.add(info_phys, total, MemoryKind::BootInfo));

    bool saw_end = false;
    bool saw_mmap = false;
    for (usize at = 8; at + 8 <= all.size();) {
        u32 type = read_le<u32>(all, at);
        u32 size = read_le<u32>(all, at + 4);
        if (size < 8 || size > all.size() - at) {
            return Errno::einval;
        }
        Bytes tag = all.subspan(at, size);
        switch (type) {
        case tag_end:
            saw_end = true;
            break;
        case tag_cmdline:
            info.cmdline.write(tag_string(tag, 8));
            break;
        case tag_bootloader_name:
            info.bootloader.write(tag_string(tag, 8));
            break;
        case tag_module: {
            if (size < 16) {
                return Errno::einval;
            }
            u32 start = read_le<u32>(tag, 8);
            u32 end = read_le<u32>(tag, 12);
            if (end > start && !info.initrd) {
                info.initrd = PhysRange{start, u64{end} - start};
                TRY(map.add(start, u64{end} - start, MemoryKind::Initrd));
            }
            break;
        }
        case tag_mmap: {
            if (size < 16) {
                return Errno::einval;
            }
            u32 entry_size = read_le<u32>(tag, 8);
            if (entry_size < 24 || entry_size % 8 != 0) {
                return Errno::einval;
            }
            for (usize e = 16; e + entry_size <= size; e += entry_size) {
                TRY(map.add(read_le<u64>(tag, e), read_le<u64>(tag, e + 8),
                            e820_kind(read_le<u32>(tag, e + 16))));
            }
            saw_mmap = true;
            break;
        }
        case tag_acpi_old:
        case tag_acpi_new:
            // The tag holds a copy of the RSDP; its address is where the copy lives.
            if (size > 8 && (type == tag_acpi_new || !info.acpi_rsdp)) {
                info.acpi_rsdp = info_phys + at + 8;
            }
            break;
        default:
            break;
        }
        if (saw_end) {
            break;
        }
        at += align_up(size, 8);
    }
    if (!saw_end || !saw_mmap) {
        return Errno::einval;
    }
    return {};
}

} // namespace keel::boot
