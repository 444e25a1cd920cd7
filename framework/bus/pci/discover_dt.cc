// PCI host bridges from the device tree: `pci-host-ecam-generic` nodes (QEMU's gpex on the
// riscv64 and aarch64 virt machines), read per the PCI bus binding (IEEE 1275 PCI, Linux's
// Documentation/devicetree/bindings/pci): reg is the ECAM window, bus-range its buses, ranges
// the CPU windows onto PCI space, interrupt-map the INTx wiring, msi-map the DeviceIDs its
// functions' MSIs carry (Linux's Documentation/devicetree/bindings/pci/pci-msi.txt).
#include "boot/live_device_tree.h"
#include "bus/pci/discover.h"

namespace keel::pci {

namespace {

using boot::DeviceTree;

// phys.hi of a PCI address: npt000ss bbbbbbbb dddddfff rrrrrrrr
constexpr u32 space_code(u32 hi) { return (hi >> 24) & 3; }
constexpr bool prefetchable(u32 hi) { return (hi >> 30) & 1; }
constexpr u32 space_io = 1;
constexpr u32 space_mem32 = 2;
constexpr u32 space_mem64 = 3;

Result<void> read_ranges(const DeviceTree& dt, DeviceTree::Node node, HostBridge& bridge) {
    Optional<Bytes> ranges = dt.property(node, "ranges");
    if (!ranges) {
        return {};
    }
    DeviceTree::Cells own = dt.cells_of(node);
    DeviceTree::Cells up = dt.cells_of(dt.parent(node).value_or(DeviceTree::root));
    if (own.address != 3 || own.size == 0 || own.size > 2 || up.address == 0 || up.address > 2) {
        return Errno::einval;
    }
    usize entry = 4 * (3 + up.address + own.size);
    if (ranges->size() % entry != 0) {
        return Errno::einval;
    }
    for (usize at = 0; at < ranges->size(); at += entry) {
        u32 hi = read_be<u32>(*ranges, at);
        Window w;
        w.pci_base = DeviceTree::read_cells(*ranges, at + 4, 2);
        w.cpu_base = DeviceTree::read_cells(*ranges, at + 12, up.address);
        w.size = DeviceTree::read_cells(*ranges, at + 12 + 4 * up.address, own.size);
        if (w.size == 0 || w.cpu_base + w.size < w.cpu_base || w.pci_base + w.size < w.pci_base) {
            return Errno::einval;
        }
        Window* slot = nullptr;
        switch (space_code(hi)) {
        case space_io:
            slot = &bridge.io;
            break;
        case space_mem32:
            slot = &bridge.mem32;
            break;
        case space_mem64:
            slot = &bridge.mem64;
            bridge.prefetchable64 = prefetchable(hi);
            break;
        default:
            break; // configuration space: ECAM comes from reg
        }
        // The first window of each kind; QEMU gives one of each.
        if (slot != nullptr && slot->size == 0) {
            *slot = w;
        }
    }
    return {};
}

// interrupt-map entries: child unit address (3 cells, masked), child pin (1 cell), parent
// phandle, parent unit address (the parent's #address-cells, 0 when absent), parent specifier
// (the parent's #interrupt-cells).
Result<void> read_interrupt_map(const DeviceTree& dt, DeviceTree::Node node, HostBridge& bridge) {
    Optional<Bytes> map = dt.property(node, "interrupt-map");
    if (!map) {
        return {};
    }
    Optional<Bytes> mask = dt.property(node, "interrupt-map-mask");
    if (mask && mask->size() == 16) {
        bridge.intx_device_mask = static_cast<u8>((read_be<u32>(*mask, 0) >> 11) & 0x1f);
    }
    usize at = 0;
    while (at < map->size()) {
        if (map->size() - at < 5 * 4) {
            return Errno::einval;
        }
        u32 hi = read_be<u32>(*map, at);
        u32 pin = read_be<u32>(*map, at + 12);
        u32 phandle = read_be<u32>(*map, at + 16);
        at += 20;
        Optional<DeviceTree::Node> parent = boot::find_phandle(dt, phandle);
        if (!parent) {
            return Errno::einval;
        }
        u64 address_cells = dt.integer_property(*parent, "#address-cells").value_or(0);
        u64 interrupt_cells = dt.integer_property(*parent, "#interrupt-cells").value_or(0);
        IntxRoute route;
        if (address_cells > 3 || interrupt_cells == 0 ||
            interrupt_cells > route.source.cells.size() ||
            map->size() - at < 4 * (address_cells + interrupt_cells) || pin < 1 || pin > 4) {
            return Errno::einval;
        }
        at += 4 * address_cells;
        route.device = static_cast<u8>((hi >> 11) & 0x1f);
        route.pin = static_cast<u8>(pin);
        route.source.kind = IrqSource::Kind::device_tree;
        route.source.cell_count = static_cast<u32>(interrupt_cells);
        for (u32 i = 0; i < route.source.cell_count; ++i, at += 4) {
            route.source.cells[i] = read_be<u32>(*map, at);
        }
        TRY(bridge.intx_routes.push(route));
    }
    return {};
}

// msi-map entries: rid-base, msi-controller phandle, msi-base, length, one cell each (as Linux
// reads them: the binding's one-cell msi-specifier is the DeviceID base; QEMU's v2m frame has
// no #msi-cells at all). Entries for another MSI controller than the one the kernel drives are
// not told apart: QEMU gives exactly one.
Result<void> read_msi_map(const DeviceTree& dt, DeviceTree::Node node, HostBridge& bridge) {
    Optional<Bytes> map = dt.property(node, "msi-map");
    if (!map) {
        return {};
    }
    constexpr usize entry_bytes = 4 * 4;
    if (map->size() == 0 || map->size() % entry_bytes != 0) {
        return Errno::einval;
    }
    bridge.has_msi_map = true;
    if (Optional<u64> mask = dt.integer_property(node, "msi-map-mask")) {
        bridge.msi_map_mask = static_cast<u32>(*mask);
    }
    for (usize at = 0; at < map->size(); at += entry_bytes) {
        MsiMapEntry entry;
        entry.rid_base = read_be<u32>(*map, at);
        if (!boot::find_phandle(dt, read_be<u32>(*map, at + 4))) {
            return Errno::einval;
        }
        entry.msi_base = read_be<u32>(*map, at + 8);
        entry.length = read_be<u32>(*map, at + 12);
        if (entry.length == 0 || entry.rid_base + u64{entry.length} > (u64{1} << 32) ||
            entry.msi_base + u64{entry.length} > (u64{1} << 32)) {
            return Errno::einval;
        }
        TRY(bridge.msi_map.push(entry));
    }
    return {};
}

} // namespace

Result<u32> msi_device_id(const HostBridge& bridge, u16 rid) {
    if (!bridge.has_msi_map) {
        return u32{rid};
    }
    u32 masked = rid & bridge.msi_map_mask;
    for (const MsiMapEntry& e : bridge.msi_map) {
        if (masked >= e.rid_base && masked - e.rid_base < e.length) {
            return e.msi_base + (masked - e.rid_base);
        }
    }
    return Errno::eopnotsupp;
}

Result<HostBridge> read_host_bridge(const DeviceTree& dt, DeviceTree::Node node) {
    HostBridge bridge;
    Optional<PhysRange> ecam = boot::first_reg(dt, node);
    if (!ecam || ecam->size < (u64{1} << 20)) {
        return Errno::einval;
    }
    bridge.ecam_base = ecam->base;
    u64 buses = min<u64>(ecam->size >> 20, 256);
    bridge.bus_start = 0;
    bridge.bus_end = static_cast<u8>(buses - 1);
    if (Optional<Bytes> range = dt.property(node, "bus-range"); range && range->size() == 8) {
        u32 first = read_be<u32>(*range, 0);
        u32 last = read_be<u32>(*range, 4);
        if (first > last || last > 255 || last - first + 1 > buses) {
            return Errno::einval;
        }
        bridge.bus_start = static_cast<u8>(first);
        bridge.bus_end = static_cast<u8>(last);
    }
    bridge.segment = static_cast<u16>(dt.integer_property(node, "linux,pci-domain").value_or(0));
    TRY(read_ranges(dt, node, bridge));
    TRY(read_interrupt_map(dt, node, bridge));
    // A damaged msi-map costs the bridge its MSIs, not its devices: an empty map refuses every
    // requester ID, so each function falls back to INTx.
    if (read_msi_map(dt, node, bridge).is_error()) {
        bridge.has_msi_map = true;
        bridge.msi_map_damaged = true;
        bridge.msi_map.clear();
    }
    // Firmware on these machines (OpenSBI, U-Boot) leaves the bus unconfigured for the OS,
    // as Linux's pci-host-generic expects (it reassigns everything too).
    bridge.assign_resources = true;
    // No dma-ranges on QEMU's gpex: device addresses are physical addresses.
    bridge.dma = DmaSpace::identity();
    return bridge;
}

} // namespace keel::pci
