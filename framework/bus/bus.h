// Device discovery at boot: what framework/boot/start.cc calls once the heap, interrupts and
// the other CPUs are up, before keel_main hands over to services and drivers.
#pragma once

#include <keel/boot_info.h>
#include <keel/ktl/result.h>
#include <keel/ktl/string_view.h>

namespace keel::bus {

// Platform devices (device tree, virtio_mmio.device=), then PCI host bridges and their buses.
void discover_devices();

void discover_platform_devices();
void discover_pci();

struct VirtioMmioParameter {
    PhysRange reg;
    u32 irq = 0;
};
// `<size>@<base>:<irq>[:<id>]`, sizes and addresses with K/M/G suffixes; EINVAL otherwise.
Result<VirtioMmioParameter> parse_virtio_mmio_device(StringView value);

} // namespace keel::bus
