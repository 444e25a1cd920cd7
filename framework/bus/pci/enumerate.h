// The portable half of the PCI core: walking a host bridge's buses, sizing and placing BARs,
// numbering and opening bridges, capability walks and the INTx swizzle. It reaches the hardware
// only through ConfigSpace, so it runs unchanged under the host tests against a fake topology.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/vector.h>
#include <keel/pci.h>

#include "bus/pci/config_space.h"
#include "bus/pci/host_bridge.h"

namespace keel::pci {

inline constexpr u8 header_endpoint = 0;
inline constexpr u8 header_bridge = 1;
// Bridges between a function and its root bus that the walk follows (deeper is skipped).
inline constexpr usize max_depth = 16;
inline constexpr usize max_capabilities = 48;

// One function as the walk found it: what PciDevice serves from, never written after boot.
struct FunctionRecord {
    PciAddress address;
    PciIdentity identity;
    u8 header_type = 0; // low 7 bits of the register
    Array<PciBar, 6> bars{};
    Array<u64, 6> bar_bus_address{}; // what the BAR register holds (bus side)
    u16 msi = 0;                     // capability offsets; 0: none
    u16 msix = 0;
    u8 interrupt_pin = 0; // 0 none, 1 INTA .. 4 INTD
    // Device numbers from the root bus down: path[0] is the root-bus slot (a bridge, or the
    // function itself), the last entry the function's own device number.
    FixedVector<u8, max_depth + 1> path;
    u8 bridge_index = 0; // in the host bridge registry
};

struct WalkStats {
    usize functions = 0;
    usize skipped = 0; // malformed functions left out
};

// Walks bridge from bus_start, appending one record per function in bus order and logging each
// like lspci. Only ENOMEM (the table could not grow) ends it early; a malformed device is logged
// and skipped.
Result<WalkStats> enumerate_bridge(ConfigSpace& config, const HostBridge& bridge, u8 bridge_index,
                                   Vector<FunctionRecord>& out);

struct Capability {
    u8 id = 0;
    u16 offset = 0;
};
// The standard capability list in order; a loop, a pointer into the header or misaligned, or
// more than max_capabilities entries end the walk (what came before is kept).
FixedVector<Capability, max_capabilities> walk_capabilities(ConfigSpace& config, Bdf at);

// The pin after the swizzle through every bridge on the path, and the root-bus slot it reaches
// (none without a pin or path).
struct IntxKey {
    u8 device = 0;
    u8 pin = 0;
};
Optional<IntxKey> intx_key(const FunctionRecord& function);
// The bridge's interrupt-map entry for that key, if any.
Optional<IrqSource> intx_route(const HostBridge& bridge, IntxKey key);

inline Bdf bdf_of(const PciAddress& a) { return {a.bus, a.device, a.function}; }

StringView bar_kind_name(PciBarKind kind);

} // namespace keel::pci
