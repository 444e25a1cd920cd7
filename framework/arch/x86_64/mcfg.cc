// The ACPI MCFG table (mcfg.h).
#include "arch/x86_64/mcfg.h"

namespace keel::x86 {

namespace {
constexpr usize header_size = 44; // the ACPI table header (36) and 8 reserved bytes
constexpr usize entry_size = 16;
} // namespace

Result<FixedVector<McfgEntry, 8>> parse_mcfg(Bytes table) {
    if (table.size() < header_size) {
        return Errno::einval;
    }
    u32 length = read_le<u32>(table, 4);
    if (length > table.size() || length < header_size || (length - header_size) % entry_size) {
        return Errno::einval;
    }
    FixedVector<McfgEntry, 8> entries;
    for (usize at = header_size; at < length; at += entry_size) {
        McfgEntry e;
        e.ecam_base = read_le<u64>(table, at);
        e.segment = read_le<u16>(table, at + 8);
        e.bus_start = table[at + 10];
        e.bus_end = table[at + 11];
        u64 span = (u64{e.bus_end} + 1) << 20;
        if (e.bus_end < e.bus_start || e.ecam_base + span < e.ecam_base || e.ecam_base == 0) {
            return Errno::einval;
        }
        TRY(entries.push(e));
    }
    return entries;
}

} // namespace keel::x86
