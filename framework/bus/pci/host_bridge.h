// The contract between PCI discovery (where the firmware says the host bridges are:
// framework/bus/pci/discover_*.cc) and the PCI core (enumeration, resource assignment, the
// PciDevice handles). Discovery fills one HostBridge per ECAM window and registers it; the core
// does the rest the same way on every architecture.
#pragma once

#include <keel/dma.h>
#include <keel/irq.h>
#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/optional.h>

namespace keel::pci {

// A window of CPU addresses that reaches PCI addresses pci_base.. on the bus (the DT `ranges`).
struct Window {
    u64 cpu_base = 0;
    u64 pci_base = 0;
    u64 size = 0; // 0: no such window
};

// Legacy INTx routing: which controller input a function's pin reaches. The DT form: the host
// node's interrupt-map, each entry (device number of the root-bus slot, pin 1-4) -> an
// IrqSource for the interrupt parent, looked up after the bridge swizzle.
struct IntxRoute {
    u8 device = 0; // 0-31, on the root bus
    u8 pin = 0;    // 1 INTA .. 4 INTD
    IrqSource source;
};

// Message-signalled interrupts: the DeviceID a function's MSI writes carry to the interrupt
// controller (a GICv3 ITS tells devices apart by it), from its requester ID (bus << 8 |
// device << 3 | function). The DT form: the host node's msi-map, each entry
// <rid-base &msi-controller msi-base length> mapping [rid-base, rid-base + length) onto
// msi-base..; the requester ID is first masked with msi-map-mask.
struct MsiMapEntry {
    u32 rid_base = 0;
    u32 msi_base = 0;
    u32 length = 0;
};

struct HostBridge {
    u16 segment = 0;
    u8 bus_start = 0;
    u8 bus_end = 0;
    u64 ecam_base = 0; // physical address of bus_start's configuration space

    Window io;    // I/O space (port numbers on x86; an MMIO window elsewhere)
    Window mem32; // non-prefetchable memory below 4 GiB
    Window mem64; // 64-bit (prefetchable) memory, if the bridge has one
    bool prefetchable64 = false;

    // DT platforms: the firmware assigned nothing, the core numbers buses and gives BARs and
    // bridge windows addresses from the windows above. x86: the firmware assigned them; the
    // core keeps what it finds and only fills BARs left at 0 (when the windows allow).
    bool assign_resources = false;

    // Entries match on (device & intx_device_mask, pin): the DT interrupt-map-mask.
    FixedVector<IntxRoute, 128> intx_routes; // empty: no INTx (x86 without an AML reader)
    u8 intx_device_mask = 0x1f;
    DmaSpace dma = DmaSpace::identity();

    // Without an msi-map (only msi-parent, or nothing: x86) the DeviceID is the requester ID.
    bool has_msi_map = false;
    // An msi-map that could not be read: the bridge still works, its functions use INTx.
    bool msi_map_damaged = false;
    u32 msi_map_mask = 0xffff;
    FixedVector<MsiMapEntry, 16> msi_map;
};

// The DeviceID for requester ID rid through bridge's msi-map; EOPNOTSUPP for a requester ID
// outside every entry (the function cannot signal MSIs: PCI falls back to INTx).
Result<u32> msi_device_id(const HostBridge& bridge, u16 rid);

// Discovery registers each bridge once, before pci::enumerate (ENOSPC beyond a few).
Result<void> register_host_bridge(const HostBridge& bridge);

// Bridges registered so far (the ktests tell "no PCI on this machine" from "PCI broken").
usize host_bridge_count();

// Walks every registered bridge; logs each function like lspci. Called once at boot.
void enumerate();

} // namespace keel::pci
