// riscv64: the boot device tree as the arch reads it for its own hardware (ISA extensions, the
// PLIC, the RTC). Private to framework/arch/riscv64.
#pragma once

#include <keel/irq.h>
#include <keel/ktl/optional.h>

#include "boot/devicetree.h"

namespace keel::arch::riscv {

// The tree the bootloader handed over (boot_info().device_tree), through the boot linear map;
// none without one.
Optional<boot::DeviceTree> boot_device_tree();

// The first enabled node compatible with `compatible`, in document order.
Optional<boot::DeviceTree::Node> find_compatible(const boot::DeviceTree& dt, StringView compatible);

// The node whose `phandle` property is `phandle`.
Optional<boot::DeviceTree::Node> find_phandle(const boot::DeviceTree& dt, u32 phandle);

// The node's first reg entry; none when it has none (or a malformed one).
Optional<PhysRange> first_reg(const boot::DeviceTree& dt, boot::DeviceTree::Node node);

// The node's `interrupts` specifier (up to four cells) as IrqLine::acquire takes it; none when
// the node has none.
Optional<IrqSource> interrupt_source(const boot::DeviceTree& dt, boot::DeviceTree::Node node);

} // namespace keel::arch::riscv
