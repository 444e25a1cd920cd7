// The ACPI MCFG table (PCI Firmware Specification 3.3, section 4.1.2): one entry per PCI
// segment group with its ECAM base and bus range. Parsed from its bytes only, so a damaged
// table is refused, never trusted.
#pragma once

#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>

namespace keel::x86 {

struct McfgEntry {
    u64 ecam_base = 0; // of bus 0 of the segment, even when bus_start is not 0
    u16 segment = 0;
    u8 bus_start = 0;
    u8 bus_end = 0;
};

// EINVAL for a table shorter than its header, a length that is not header + whole entries,
// or an entry with bus_end < bus_start or a base that wraps; ENOSPC beyond 8 entries.
Result<FixedVector<McfgEntry, 8>> parse_mcfg(Bytes table);

} // namespace keel::x86
