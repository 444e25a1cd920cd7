// riscv64: the boot device tree for the arch's own hardware (device_tree.h).
#include "device_tree.h"

#include <arch/memory.h>

namespace keel::arch::riscv {

Optional<boot::DeviceTree> boot_device_tree() {
    Optional<PhysRange> dtb = boot_info().device_tree;
    if (!dtb || dtb->end() > early_phys_limit()) {
        return none;
    }
    // SAFETY: the boot code parsed this range as the DTB through the same linear map, and the
    // memory map keeps it reserved.
    Bytes blob = Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(dtb->base)), dtb->size);
    Result<boot::DeviceTree> dt = boot::DeviceTree::open(blob);
    return dt.ok() ? Optional<boot::DeviceTree>(dt.value()) : none;
}

Optional<boot::DeviceTree::Node> find_compatible(const boot::DeviceTree& dt,
                                                 StringView compatible) {
    Optional<boot::DeviceTree::Node> found;
    dt.for_each_node([&](boot::DeviceTree::Node node) {
        if (!found && dt.is_enabled(node) && dt.is_compatible(node, compatible)) {
            found = node;
        }
    });
    return found;
}

Optional<boot::DeviceTree::Node> find_phandle(const boot::DeviceTree& dt, u32 phandle) {
    Optional<boot::DeviceTree::Node> found;
    dt.for_each_node([&](boot::DeviceTree::Node node) {
        Optional<Bytes> value = dt.property(node, "phandle");
        if (!found && value && value->size() == 4 && read_be<u32>(*value, 0) == phandle) {
            found = node;
        }
    });
    return found;
}

Optional<PhysRange> first_reg(const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
    Optional<PhysRange> first;
    Result<void> parsed = dt.for_each_reg(node, [&](u64 base, u64 size) {
        if (!first) {
            first = PhysRange{base, size};
        }
    });
    return parsed.ok() && first && first->size != 0 ? first : none;
}

Optional<IrqSource> interrupt_source(const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
    Optional<Bytes> cells = dt.property(node, "interrupts");
    IrqSource source;
    if (!cells || cells->empty() || cells->size() % 4 != 0 ||
        cells->size() > 4 * source.cells.size()) {
        return none;
    }
    source.kind = IrqSource::Kind::device_tree;
    source.cell_count = static_cast<u32>(cells->size() / 4);
    for (u32 i = 0; i < source.cell_count; ++i) {
        source.cells[i] = read_be<u32>(*cells, 4 * i);
    }
    return source;
}

} // namespace keel::arch::riscv
