#include "madt.h"

namespace keel::x86 {

namespace {
// Entry types and their minimum lengths (ACPI 6.5, 5.2.12.2 - 5.2.12.13).
enum EntryType : u8 {
    local_apic = 0,          // 8: uid, APIC id, flags
    io_apic = 1,             // 12: id, reserved, address, GSI base
    source_override = 2,     // 10: bus, source, GSI, flags
    local_apic_nmi = 4,      // 6: uid, flags, LINT
    local_apic_address = 5,  // 12: reserved, 64-bit address
    local_x2apic = 9,        // 16: reserved, x2APIC id, flags, uid
    local_x2apic_nmi = 0x0a, // 12: flags, uid, LINT, reserved
};
constexpr usize header_size = 44; // the SDT header, local APIC address, flags
constexpr u32 madt_pcat_compat = 1 << 0;
constexpr u32 cpu_enabled = 1 << 0;
constexpr u32 cpu_online_capable = 1 << 1;

bool cpu_usable(u32 flags) { return (flags & (cpu_enabled | cpu_online_capable)) != 0; }

void add_cpu(Madt& madt, u32 uid, u32 apic_id) {
    ++madt.cpu_count;
    (void)madt.cpus.push({uid, apic_id}); // beyond the list's room the CPU is only counted
}
} // namespace

Result<Madt> parse_madt(Bytes table) {
    if (table.size() < header_size) {
        return Errno::einval;
    }
    Madt madt;
    madt.local_apic_phys = read_le<u32>(table, 36);
    madt.has_8259 = (read_le<u32>(table, 40) & madt_pcat_compat) != 0;
    for (usize at = header_size; at < table.size();) {
        if (at + 2 > table.size()) {
            return Errno::einval;
        }
        u8 type = table[at];
        u8 length = table[at + 1];
        if (length < 2 || at + length > table.size()) {
            return Errno::einval;
        }
        Bytes e = table.subspan(at, length);
        at += length;
        switch (type) {
        case local_apic:
            if (length >= 8 && cpu_usable(read_le<u32>(e, 4))) {
                add_cpu(madt, e[2], e[3]);
            }
            break;
        case local_x2apic:
            if (length >= 16 && cpu_usable(read_le<u32>(e, 8))) {
                add_cpu(madt, read_le<u32>(e, 12), read_le<u32>(e, 4));
            }
            break;
        case io_apic:
            if (length >= 12) {
                TRY(madt.io_apics.push({e[2], read_le<u32>(e, 4), read_le<u32>(e, 8)}));
            }
            break;
        case source_override:
            // Bus 0 is ISA, the only bus the specification defines here.
            if (length >= 10 && e[2] == 0) {
                TRY(madt.overrides.push({e[3], read_le<u32>(e, 4), read_le<u16>(e, 8)}));
            }
            break;
        case local_apic_nmi:
            if (length >= 6) {
                TRY(madt.local_nmis.push({e[2], e[5], read_le<u16>(e, 3)}));
            }
            break;
        case local_x2apic_nmi:
            if (length >= 12) {
                TRY(madt.local_nmis.push({read_le<u32>(e, 4), e[8], read_le<u16>(e, 2)}));
            }
            break;
        case local_apic_address:
            if (length >= 12) {
                madt.local_apic_phys = read_le<u64>(e, 4);
            }
            break;
        default:
            break;
        }
    }
    if (madt.local_apic_phys == 0) {
        return Errno::einval;
    }
    return madt;
}

} // namespace keel::x86
