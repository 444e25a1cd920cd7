// Device-tree lookups shared by bus and arch code (live_device_tree.h); portable, so host tests
// run them on the DTBs QEMU gives each machine.
#include "boot/live_device_tree.h"

namespace keel::boot {

Optional<DeviceTree::Node> find_compatible(const DeviceTree& dt, StringView compatible) {
    Optional<DeviceTree::Node> found;
    dt.for_each_node([&](DeviceTree::Node node) {
        if (!found && dt.is_enabled(node) && dt.is_compatible(node, compatible)) {
            found = node;
        }
    });
    return found;
}

Optional<DeviceTree::Node> find_msi_controller_child(const DeviceTree& dt, DeviceTree::Node parent,
                                                     StringView compatible) {
    Optional<DeviceTree::Node> found;
    dt.for_each_child(parent, [&](DeviceTree::Node child) {
        if (!found && dt.is_enabled(child) && dt.is_compatible(child, compatible) &&
            dt.property(child, "msi-controller")) {
            found = child;
        }
    });
    return found;
}

Optional<DeviceTree::Node> find_phandle(const DeviceTree& dt, u32 phandle) {
    Optional<DeviceTree::Node> found;
    dt.for_each_node([&](DeviceTree::Node node) {
        Optional<Bytes> value = dt.property(node, "phandle");
        if (!found && value && value->size() == 4 && read_be<u32>(*value, 0) == phandle) {
            found = node;
        }
    });
    return found;
}

Optional<PhysRange> first_reg(const DeviceTree& dt, DeviceTree::Node node) {
    Optional<PhysRange> first;
    Result<void> parsed = dt.for_each_reg(node, [&](u64 base, u64 size) {
        if (!first) {
            first = PhysRange{base, size};
        }
    });
    return parsed.ok() && first && first->size != 0 ? first : none;
}

Optional<IrqSource> interrupt_source(const DeviceTree& dt, DeviceTree::Node node) {
    Optional<Bytes> cells = dt.property(node, "interrupts");
    if (!cells || cells->empty() || cells->size() % 4 != 0) {
        return none;
    }
    return interrupt_source(dt, node, 0, static_cast<u32>(cells->size() / 4));
}

Optional<IrqSource> interrupt_source(const DeviceTree& dt, DeviceTree::Node node, usize index,
                                     u32 cells) {
    Optional<Bytes> all = dt.property(node, "interrupts");
    IrqSource source;
    if (!all || cells == 0 || cells > source.cells.size() || all->size() % (4 * cells) != 0 ||
        index >= all->size() / (4 * cells)) {
        return none;
    }
    source.kind = IrqSource::Kind::device_tree;
    source.cell_count = cells;
    for (u32 i = 0; i < cells; ++i) {
        source.cells[i] = read_be<u32>(*all, 4 * (index * cells + i));
    }
    return source;
}

Optional<DeviceTree::Node> interrupt_parent(const DeviceTree& dt, DeviceTree::Node node) {
    // Bounded by the tree's depth: each step goes to a parent.
    for (Optional<DeviceTree::Node> at = node; at; at = dt.parent(*at)) {
        Optional<Bytes> phandle = dt.property(*at, "interrupt-parent");
        if (phandle && phandle->size() == 4) {
            return find_phandle(dt, read_be<u32>(*phandle, 0));
        }
        if (*at == DeviceTree::root) {
            break;
        }
    }
    return none;
}

} // namespace keel::boot
