#include "drivers/bind.h"

#include <keel/log.h>
#include <keel/pci.h>
#include <keel/platform_device.h>

#include "drivers/virtio/drivers.h"

namespace keel::drivers {

namespace {

using virtio::Transport;

// Platform devices by compatible string.
constexpr Array<StringView, 1> virtio_mmio_compatibles{StringView("virtio,mmio")};

// virtio device ids to drivers.
struct VirtioDriver {
    u32 device_id;
    StringView name;
    Result<void> (*bind)(Box<Transport>);
};
constexpr Array<VirtioDriver, 3> virtio_drivers{{
    {virtio::device_id::block, "virtio-blk", &virtio::bind_block},
    {virtio::device_id::entropy, "virtio-rng", &virtio::bind_entropy},
    {virtio::device_id::console, "virtio-console", &virtio::bind_console},
}};

void bind_virtio(Box<Transport> transport) {
    u32 id = transport->device_id();
    for (const VirtioDriver& d : virtio_drivers) {
        if (d.device_id != id) {
            continue;
        }
        FixedString<96> where;
        format(where, "{}", transport->description());
        Result<void> bound = d.bind(move(transport));
        if (bound.is_error()) {
            log::warn("virtio: {} on {} failed: {}", d.name, where.view(), bound.error());
        } else {
            log::info("virtio: {} on {}", d.name, where.view());
        }
        return;
    }
    log::info("virtio: no driver for device id {} on {}", id, transport->description());
}

void bind_platform_devices() {
    for (usize i = 0; i < platform::device_count(); ++i) {
        Optional<PlatformDeviceInfo> info = platform::device_info(i);
        if (!info || info->claimed) {
            continue;
        }
        bool matches = false;
        for (StringView c : virtio_mmio_compatibles) {
            matches = matches || info->compatible == c;
        }
        if (!matches) {
            continue;
        }
        Result<PlatformDevice> device = platform::claim(i);
        if (device.is_error()) {
            continue;
        }
        Result<Box<Transport>> transport = virtio::probe_mmio(device.release_value());
        if (transport.is_error()) {
            if (transport.error() != Errno::enodev) {
                log::warn("virtio-mmio: {}: {}", info->name, transport.error());
            }
            continue;
        }
        bind_virtio(transport.release_value());
    }
}

// PCI functions by identity: virtio's vendor, modern (0x1040-0x107f) and transitional
// (0x1000-0x103f) device ids.
struct PciMatch {
    u16 vendor;
    u16 first_device;
    u16 last_device;
};
constexpr Array<PciMatch, 2> virtio_pci_matches{{
    {0x1af4, 0x1000, 0x103f},
    {0x1af4, 0x1040, 0x107f},
}};

void bind_pci_functions() {
    for (usize i = 0; i < pci::function_count(); ++i) {
        Optional<PciFunctionInfo> info = pci::function_info(i);
        if (!info || info->claimed) {
            continue;
        }
        bool matches = false;
        for (const PciMatch& m : virtio_pci_matches) {
            matches = matches || (info->identity.vendor == m.vendor &&
                                  info->identity.device >= m.first_device &&
                                  info->identity.device <= m.last_device);
        }
        if (!matches) {
            continue;
        }
        Result<PciDevice> device = pci::claim(i);
        if (device.is_error()) {
            continue;
        }
        Result<Box<Transport>> transport = virtio::probe_pci(device.release_value());
        if (transport.is_error()) {
            if (transport.error() != Errno::enodev) {
                const PciAddress& a = info->address;
                log::warn("virtio-pci: {:04x}:{:02x}:{:02x}.{}: {}", a.segment, a.bus, a.device,
                          a.function, transport.error());
            }
            continue;
        }
        bind_virtio(transport.release_value());
    }
}

} // namespace

void bind_all() {
    bind_platform_devices();
    bind_pci_functions();
}

} // namespace keel::drivers
