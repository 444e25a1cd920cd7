// x86_64's PCI host bridges (arch/pci.h): the PCI segments of the ACPI MCFG table.
// Firmware differs in what it leaves: SeaBIOS places every BAR, qboot numbers the buses and
// places none. Keel therefore assigns everything itself, as Linux does when it cannot trust
// the firmware, with the windows Linux falls back to without the AML `_CRS` methods: 32-bit
// memory in the largest gap of the memory map below the local APIC/IOAPIC area, I/O ports from
// 0xc000 (the PC convention), no 64-bit window (64-bit BARs fit in the 32-bit one). INTx would
// need the AML `_PRT` methods too: PCI functions here use MSI-X or MSI.
#include <arch/pci.h>

#include <keel/log.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/mcfg.h"
#include "bus/pci/host_bridge.h"

namespace keel::arch {

namespace {

constexpr u64 four_gib = u64{1} << 32;
constexpr u64 apic_area = 0xfec00000; // IOAPIC, HPET, LAPIC, BIOS flash up to 4 GiB
constexpr u64 window_align = u64{1} << 20;

// What PCI memory must not overlap: every memory-map region and ECAM window.
FixedVector<PhysRange, BootInfo::max_regions + 8>
obstacles(const FixedVector<x86::McfgEntry, 8>& ecam) {
    FixedVector<PhysRange, BootInfo::max_regions + 8> all;
    for (const MemoryRegion& r : boot_info().memory) {
        static_cast<void>(all.push({r.base, r.size}).ok());
    }
    for (const x86::McfgEntry& e : ecam) {
        static_cast<void>(all.push({e.ecam_base, (u64{e.bus_end} + 1) << 20}).ok());
    }
    return all;
}

// The largest 1 MiB-aligned range below the APIC area that no memory-map region or ECAM
// window touches, above the end of RAM below 4 GiB (the chipset decodes the rest as PCI).
// A gap starts at the end of RAM or of an obstacle, and ends at the next obstacle's start.
pci::Window memory_gap(const FixedVector<x86::McfgEntry, 8>& ecam) {
    u64 ram_end = 0;
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind != MemoryKind::Reserved && r.end() <= four_gib) {
            ram_end = max(ram_end, r.end());
        }
    }
    FixedVector<PhysRange, BootInfo::max_regions + 8> taken = obstacles(ecam);
    pci::Window best;
    auto consider = [&](u64 start) {
        start = align_up(start, window_align);
        u64 end = apic_area;
        for (const PhysRange& o : taken) {
            if (o.base <= start && start < o.end()) {
                return; // inside an obstacle: its end is a candidate of its own
            }
            if (o.base > start) {
                end = min(end, align_down(o.base, window_align));
            }
        }
        if (start >= ram_end && start < end && end - start > best.size) {
            best = {start, start, end - start};
        }
    };
    consider(ram_end);
    for (const PhysRange& o : taken) {
        consider(o.end());
    }
    return best;
}

void add_bridge(pci::HostBridge bridge, const pci::Window& mem32) {
    bridge.assign_resources = true;
    // One window set for all segments: QEMU and PCs have one.
    bridge.mem32 = mem32;
    bridge.io = {0xc000, 0xc000, 0x4000};
    if (Result<void> added = pci::register_host_bridge(bridge); added.is_error()) {
        log::warn("pci: segment {}: cannot register ({})", bridge.segment, added.error());
    }
}

} // namespace

void register_firmware_pci_bridges() {
    x86::acpi::PhysReader mem;
    FixedVector<x86::McfgEntry, 8> ecam;
    if (Result<Bytes> table = x86::acpi::find_table(mem, "MCFG"); table.is_error()) {
        log::info("pci: no ACPI MCFG table ({}): legacy configuration ports", table.error());
    } else if (Result<FixedVector<x86::McfgEntry, 8>> parsed = x86::parse_mcfg(table.value());
               parsed.is_error()) {
        log::warn("pci: malformed ACPI MCFG table ({}): legacy configuration ports",
                  parsed.error());
    } else {
        ecam = parsed.value();
    }
    pci::Window mem32 = memory_gap(ecam);
    log::info("pci: 32-bit memory window [{:#x}-{:#x}] (the largest gap below the APICs)",
              mem32.cpu_base, mem32.cpu_base + mem32.size - 1);
    if (ecam.empty()) {
        // Segment 0, every bus, through 0xcf8/0xcfc (ecam_base 0 says so).
        pci::HostBridge legacy;
        legacy.bus_end = 0xff;
        add_bridge(legacy, mem32);
        return;
    }
    for (const x86::McfgEntry& e : ecam) {
        pci::HostBridge bridge;
        bridge.segment = e.segment;
        bridge.bus_start = e.bus_start;
        bridge.bus_end = e.bus_end;
        bridge.ecam_base = e.ecam_base + (u64{e.bus_start} << 20);
        log::info("pci: ACPI MCFG segment {} ECAM {:#x} buses {:02x}-{:02x}", e.segment,
                  bridge.ecam_base, e.bus_start, e.bus_end);
        add_bridge(bridge, mem32);
    }
}

} // namespace keel::arch
