#include "acpi.h"

#include <keel/boot_info.h>

#include <arch/memory.h>

#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"
#include "x86.h"

namespace keel::x86::acpi {

namespace {
// ACPI 6.5, 5.2.5 (RSDP) and 5.2.6 (system description table header).
constexpr usize rsdp_v1_size = 20;
constexpr usize rsdp_v2_size = 36;
constexpr usize header_size = 36;
constexpr u32 max_table_size = 1 << 20; // far beyond any real table: a damaged length

bool linear_mapped(u64 phys, u64 end) {
    for (u64 page = align_down(phys, page_size); page < end; page += page_size) {
        if (!mm::query_kernel(arch::phys_to_virt(page)).has_value()) {
            return false;
        }
    }
    return true;
}

// A whole table at phys: its header says how long it is, the checksum covers all of it.
Optional<Bytes> read_table(PhysReader& mem, u64 phys) {
    Optional<Bytes> head = mem.read(phys, header_size);
    u32 length = head ? read_le<u32>(*head, 4) : 0;
    if (length < header_size || length > max_table_size) {
        return none;
    }
    Optional<Bytes> table = mem.read(phys, length);
    if (!table || byte_sum(*table) != 0) {
        return none;
    }
    return table;
}
} // namespace

PhysReader::~PhysReader() {
    for (const Window& w : windows_) {
        mm::unmap_device(w.va, w.size);
    }
}

Optional<Bytes> PhysReader::read(u64 phys, usize size) {
    u64 end = 0;
    if (phys == 0 || size == 0 || !checked_add(phys, u64{size}, end)) {
        return none;
    }
    uptr va = 0;
    if (linear_mapped(phys, end)) {
        va = arch::phys_to_virt(phys);
    }
    for (const Window& w : windows_) {
        if (va == 0 && phys >= w.phys && end <= w.phys + w.size) {
            va = w.va + (phys - w.phys);
        }
    }
    if (va == 0) {
        if (windows_.full()) {
            return none;
        }
        // Whole pages: the next small read nearby (the rest of a table) reuses the window.
        u64 first = align_down(phys, page_size);
        usize bytes = static_cast<usize>(align_up(end, page_size) - first);
        Result<uptr> mapped = mm::map_device(first, bytes);
        if (!mapped.ok()) {
            return none;
        }
        (void)windows_.push({first, mapped.value(), bytes}); // cannot fail: not full
        va = mapped.value() + (phys - first);
    }
    // SAFETY: [va, va + size) is mapped readable (the linear map, or a device mapping this
    // reader holds until it goes), and the bytes are only read while it lives.
    return Bytes::from_raw(reinterpret_cast<const u8*>(va), size);
}

StringView signature(Bytes bytes, usize size) {
    Bytes head = bytes.first(min(size, bytes.size()));
    // SAFETY: chars and bytes have the same representation; the span stays within `bytes`.
    return StringView(
        Span<const char>::from_raw(reinterpret_cast<const char*>(head.data()), head.size()));
}

u8 byte_sum(Bytes bytes) {
    u8 sum = 0;
    for (u8 b : bytes) {
        sum = static_cast<u8>(sum + b);
    }
    return sum;
}

Result<Bytes> find_table(PhysReader& mem, StringView sig) {
    if (!boot_info().acpi_rsdp) {
        return Errno::enoent;
    }
    u64 rsdp_phys = *boot_info().acpi_rsdp;
    Optional<Bytes> rsdp = mem.read(rsdp_phys, rsdp_v1_size);
    if (!rsdp || signature(*rsdp, 8) != StringView("RSD PTR ") || byte_sum(*rsdp) != 0) {
        return Errno::einval;
    }
    // ACPI 2.0+: the XSDT's 64-bit entries; it takes precedence over the RSDT when present.
    u64 root = read_le<u32>(*rsdp, 16);
    usize entry_size = 4;
    if ((*rsdp)[15] >= 2) {
        Optional<Bytes> v2 = mem.read(rsdp_phys, rsdp_v2_size);
        if (v2 && byte_sum(*v2) == 0 && read_le<u64>(*v2, 24) != 0) {
            root = read_le<u64>(*v2, 24);
            entry_size = 8;
        }
    }
    Optional<Bytes> root_table = read_table(mem, root);
    if (!root_table) {
        return Errno::einval;
    }
    for (usize at = header_size; at + entry_size <= root_table->size(); at += entry_size) {
        u64 phys = entry_size == 8 ? read_le<u64>(*root_table, at) : read_le<u32>(*root_table, at);
        Optional<Bytes> head = mem.read(phys, header_size);
        if (!head || signature(*head, 4) != sig) {
            continue;
        }
        if (Optional<Bytes> table = read_table(mem, phys)) {
            return *table;
        }
    }
    return Errno::enoent;
}

} // namespace keel::x86::acpi
