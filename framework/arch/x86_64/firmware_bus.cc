// x86_64's firmware buses (arch/firmware_bus.h): the PCI segments of the ACPI MCFG table.
// Firmware differs in what it leaves: SeaBIOS places every BAR, qboot numbers the buses and
// places none. Keel therefore assigns everything itself, as Linux does when it cannot trust
// the firmware, with the windows Linux falls back to without the AML `_CRS` methods: 32-bit
// memory in the largest gap of the memory map below the local APIC/IOAPIC area, I/O ports from
// 0xc000 (the PC convention), no 64-bit window (64-bit BARs fit in the 32-bit one). INTx would
// need the AML `_PRT` methods too: PCI functions here use MSI-X or MSI.
#include <arch/firmware_bus.h>

#include <keel/log.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/mcfg.h"
#include "bus/pci/host_bridge.h"

namespace keel::arch {

namespace {

constexpr u64 four_gib = u64{1} << 32;
constexpr u64 apic_area = 0xfec00000; // IOAPIC, HPET, LAPIC, BIOS flash up to 4 GiB
constexpr u64 window_align = u64{1} << 20;

bool covered(u64 base, u64 end, const FixedVector<x86::McfgEntry, 8>& ecam) {
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.base < end && base < r.end()) {
            return true;
        }
    }
    for (const x86::McfgEntry& e : ecam) {
        u64 ecam_end = e.ecam_base + ((u64{e.bus_end} + 1) << 20);
        if (e.ecam_base < end && base < ecam_end) {
            return true;
        }
    }
    return false;
}

// The largest 1 MiB-aligned range below the APIC area that no memory-map region or ECAM
// window touches, above the end of RAM below 4 GiB (the chipset decodes the rest as PCI).
pci::Window memory_gap(const FixedVector<x86::McfgEntry, 8>& ecam) {
    u64 ram_end = 0;
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind != MemoryKind::Reserved && r.end() <= four_gib) {
            ram_end = max(ram_end, r.end());
        }
    }
    // Candidate edges: the end of RAM and the end of every region or window above it.
    pci::Window best;
    auto consider = [&](u64 start) {
        start = align_up(start, window_align);
        if (start < ram_end || start >= apic_area || covered(start, start + 1, ecam)) {
            return;
        }
        u64 end = start;
        // Grow in 1 MiB steps to the next obstacle (bounded: at most 4 GiB / 1 MiB steps).
        while (end < apic_area && !covered(end, end + window_align, ecam)) {
            end += window_align;
        }
        if (end - start > best.size) {
            best = {start, start, end - start};
        }
    };
    consider(ram_end);
    for (const MemoryRegion& r : boot_info().memory) {
        consider(r.end());
    }
    for (const x86::McfgEntry& e : ecam) {
        consider(e.ecam_base + ((u64{e.bus_end} + 1) << 20));
    }
    return best;
}

} // namespace

void register_firmware_pci_bridges() {
    x86::acpi::PhysReader mem;
    Result<Bytes> table = x86::acpi::find_table(mem, "MCFG");
    if (table.is_error()) {
        log::warn("pci: no usable ACPI MCFG table ({}): no PCI", table.error());
        return;
    }
    Result<FixedVector<x86::McfgEntry, 8>> entries = x86::parse_mcfg(table.value());
    if (entries.is_error()) {
        log::warn("pci: malformed ACPI MCFG table ({}): no PCI", entries.error());
        return;
    }
    pci::Window mem32 = memory_gap(entries.value());
    log::info("pci: 32-bit memory window [{:#x}-{:#x}] (the largest gap below the APICs)",
              mem32.cpu_base, mem32.cpu_base + mem32.size - 1);
    for (const x86::McfgEntry& e : entries.value()) {
        pci::HostBridge bridge;
        bridge.segment = e.segment;
        bridge.bus_start = e.bus_start;
        bridge.bus_end = e.bus_end;
        bridge.ecam_base = e.ecam_base + (u64{e.bus_start} << 20);
        bridge.assign_resources = true;
        // One window set for all segments: QEMU and PCs have one.
        bridge.mem32 = mem32;
        bridge.io = {0xc000, 0xc000, 0x4000};
        log::info("pci: ACPI MCFG segment {} ECAM {:#x} buses {:02x}-{:02x}", e.segment,
                  bridge.ecam_base, e.bus_start, e.bus_end);
        if (Result<void> added = pci::register_host_bridge(bridge); added.is_error()) {
            log::warn("pci: segment {}: cannot register ({})", e.segment, added.error());
        }
    }
}

} // namespace keel::arch
