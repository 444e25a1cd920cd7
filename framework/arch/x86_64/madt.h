// The ACPI MADT ("APIC" table, ACPI 6.5 section 5.2.12): where the local APIC and the I/O APICs
// are, which ISA IRQs arrive on other GSIs or with other polarity and trigger, and which LINT
// pin carries NMI. Parsed from its bytes only, so a damaged table is refused, never trusted.
#pragma once

#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>

namespace keel::x86 {

// MPS INTI flags (ACPI 6.5, table 5.26): polarity in bits 1:0, trigger mode in bits 3:2; 0 in
// either means "conforms to the bus" (ISA: active high, edge).
struct InterruptMode {
    static constexpr u16 polarity_mask = 0x3;
    static constexpr u16 polarity_high = 0x1;
    static constexpr u16 polarity_low = 0x3;
    static constexpr u16 trigger_mask = 0xc;
    static constexpr u16 trigger_edge = 0x4;
    static constexpr u16 trigger_level = 0xc;
};

struct Madt {
    struct IoApic {
        u8 id = 0;
        u64 phys = 0;
        u32 gsi_base = 0;
    };
    struct Override {
        u8 isa_irq = 0;
        u32 gsi = 0;
        u16 flags = 0; // InterruptMode
    };
    struct Cpu {
        u32 processor_uid = 0; // what the NMI entries name
        u32 apic_id = 0;
    };
    struct LocalNmi {
        u32 processor_uid = 0; // 0xff (0xffffffff for x2APIC entries): every processor
        u8 lint = 0;           // 0 or 1
        u16 flags = 0;         // InterruptMode
    };

    u64 local_apic_phys = 0;   // the 32-bit field, or the 64-bit override entry when present
    bool has_8259 = false;     // PCAT_COMPAT: the legacy PICs exist and must be masked
    u32 cpu_count = 0;         // enabled (or online-capable) local APIC and x2APIC entries
    FixedVector<Cpu, 64> cpus; // the first of them (SMP bring-up will want the list)
    FixedVector<IoApic, 8> io_apics;
    FixedVector<Override, 16> overrides;
    FixedVector<LocalNmi, 8> local_nmis;
};

// EINVAL for a table too short or with an entry running past its end; entries of kinds Keel
// does not use are skipped; more I/O APICs, overrides or NMI entries than fit are an ENOSPC
// (more CPUs than fit are only counted).
Result<Madt> parse_madt(Bytes table);

// The MADT the interrupt controllers were set up from (interrupts.cc).
const Madt& madt();

} // namespace keel::x86
