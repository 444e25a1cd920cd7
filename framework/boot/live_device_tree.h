// The device tree the bootloader handed over, read in place through the linear map, and the
// lookups bus and arch code share (compatible nodes, phandles, reg, interrupts).
#pragma once

#include <keel/irq.h>
#include <keel/ktl/optional.h>

#include "boot/devicetree.h"

namespace keel::boot {

// boot_info().device_tree as a DeviceTree; none without one (x86) or when it is unreadable.
Optional<DeviceTree> live_device_tree();

// The first enabled node compatible with `compatible`, in document order.
Optional<DeviceTree::Node> find_compatible(const DeviceTree& dt, StringView compatible);

// The first enabled child of parent compatible with `compatible` that says it is an MSI
// controller (`msi-controller`): a GICv2m frame, a GICv3 ITS.
Optional<DeviceTree::Node> find_msi_controller_child(const DeviceTree& dt, DeviceTree::Node parent,
                                                     StringView compatible);

// The node whose `phandle` property is `phandle`.
Optional<DeviceTree::Node> find_phandle(const DeviceTree& dt, u32 phandle);

// The node's first reg entry; none when it has none (or a malformed one).
Optional<PhysRange> first_reg(const DeviceTree& dt, DeviceTree::Node node);

// The node's `interrupts` specifier (up to four cells) as IrqLine::acquire takes it; none when
// the node has none.
Optional<IrqSource> interrupt_source(const DeviceTree& dt, DeviceTree::Node node);

// The i-th specifier of `interrupts` when each takes `cells` cells (the interrupt parent's
// #interrupt-cells); none beyond the list or for a malformed property.
Optional<IrqSource> interrupt_source(const DeviceTree& dt, DeviceTree::Node node, usize index,
                                     u32 cells);

// The node's interrupt parent (its own or the nearest ancestor's interrupt-parent phandle).
Optional<DeviceTree::Node> interrupt_parent(const DeviceTree& dt, DeviceTree::Node node);

} // namespace keel::boot
