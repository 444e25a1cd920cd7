// Platform devices (keel/platform_device.h): the device-tree nodes drivers may have, and on x86
// the `virtio_mmio.device=` command-line form. Each entry keeps what the firmware said - reg
// windows, interrupt specifiers - so a driver is handed only those.
#include <keel/cmdline.h>
#include <keel/ktl/fixed_vector.h>
#include <keel/log.h>
#include <keel/platform_device.h>
#include <keel/spin_lock.h>

#include "boot/live_device_tree.h"
#include "bus/bus.h"

namespace keel {

namespace {

struct Entry {
    PlatformDeviceInfo info;
    Array<PhysRange, 2> regs{};
    Array<IrqSource, 2> irqs{};
};

// Written once at boot (discover_platform_devices, before any driver runs); after that only
// `claimed` changes, under the lock.
constinit SpinLock lock;
constinit FixedVector<Entry, 64> devices;

// Compatible strings the framework hands to drivers; everything else in the tree is the
// framework's own (consoles, interrupt controllers, timers) or unknown.
constexpr Array<StringView, 1> driver_compatibles{StringView("virtio,mmio")};

void add_device_tree_node(const boot::DeviceTree& dt, boot::DeviceTree::Node node,
                          StringView compatible) {
    Entry entry;
    entry.info.compatible = compatible;
    entry.info.name = dt.name(node);
    Result<void> regs = dt.for_each_reg(node, [&](u64 base, u64 size) {
        if (entry.info.reg_count < entry.regs.size() && size != 0) {
            entry.regs[entry.info.reg_count++] = {base, size};
        }
    });
    Optional<boot::DeviceTree::Node> parent = boot::interrupt_parent(dt, node);
    u32 cells =
        parent ? static_cast<u32>(dt.integer_property(*parent, "#interrupt-cells").value_or(0)) : 0;
    for (usize i = 0; i < entry.irqs.size(); ++i) {
        Optional<IrqSource> source = boot::interrupt_source(dt, node, i, cells);
        if (!source) {
            break;
        }
        entry.irqs[entry.info.irq_count++] = *source;
    }
    if (regs.is_error() || entry.info.reg_count == 0) {
        log::warn("platform: {}: no usable reg, ignored", entry.info.name);
        return;
    }
    entry.info.first_reg = entry.regs[0].base;
    if (devices.push(entry).is_error()) {
        log::warn("platform: more than {} devices, {} ignored", devices.capacity(),
                  entry.info.name);
    }
}

void discover_device_tree() {
    Optional<boot::DeviceTree> dt = boot::live_device_tree();
    if (!dt) {
        return;
    }
    dt->for_each_node([&](boot::DeviceTree::Node node) {
        if (!dt->is_enabled(node)) {
            return;
        }
        for (StringView compatible : driver_compatibles) {
            if (dt->is_compatible(node, compatible)) {
                add_device_tree_node(*dt, node, compatible);
                return;
            }
        }
    });
}

// A number the way Linux's memparse reads it: decimal, 0x hex or 0 octal, then an optional
// K/M/G suffix. Advances `at`; none without a digit or on overflow.
Optional<u64> parse_number(StringView text, usize& at, bool suffix) {
    u64 base = 10;
    if (at + 1 < text.size() && text[at] == '0' && (text[at + 1] == 'x' || text[at + 1] == 'X')) {
        base = 16;
        at += 2;
    } else if (at < text.size() && text[at] == '0') {
        base = 8;
    }
    u64 value = 0;
    usize digits = 0;
    for (; at < text.size(); ++at, ++digits) {
        char c = text[at];
        u64 d = c >= '0' && c <= '9'   ? static_cast<u64>(c - '0')
                : c >= 'a' && c <= 'f' ? static_cast<u64>(c - 'a' + 10)
                : c >= 'A' && c <= 'F' ? static_cast<u64>(c - 'A' + 10)
                                       : 99;
        if (d >= base) {
            break;
        }
        if (value > (~u64{0} - d) / base) {
            return none;
        }
        value = value * base + d;
    }
    if (digits == 0) {
        return none;
    }
    if (suffix && at < text.size()) {
        u32 shift = text[at] == 'K' || text[at] == 'k'   ? 10
                    : text[at] == 'M' || text[at] == 'm' ? 20
                    : text[at] == 'G' || text[at] == 'g' ? 30
                                                         : 0;
        if (shift != 0) {
            if (value > (~u64{0} >> shift)) {
                return none;
            }
            value <<= shift;
            ++at;
        }
    }
    return value;
}

} // namespace

namespace bus {

// Linux's virtio_mmio module parameter; the optional id names the device, Keel does not need
// it. The irq is a GSI on x86.
Result<VirtioMmioParameter> parse_virtio_mmio_device(StringView value) {
    usize at = 0;
    Optional<u64> size = parse_number(value, at, true);
    if (!size || *size == 0 || at >= value.size() || value[at] != '@') {
        return Errno::einval;
    }
    ++at;
    Optional<u64> base = parse_number(value, at, true);
    if (!base || at >= value.size() || value[at] != ':' || *base + *size < *base) {
        return Errno::einval;
    }
    ++at;
    Optional<u64> irq = parse_number(value, at, false);
    if (!irq || *irq > 0xffff || (at < value.size() && value[at] != ':')) {
        return Errno::einval;
    }
    return VirtioMmioParameter{{*base, *size}, static_cast<u32>(*irq)};
}

} // namespace bus

namespace {

Result<void> add_command_line_device(StringView value) {
    bus::VirtioMmioParameter parsed = TRY(bus::parse_virtio_mmio_device(value));
    Entry entry;
    entry.info.compatible = driver_compatibles[0];
    entry.info.name = "virtio_mmio.device";
    entry.info.first_reg = parsed.reg.base;
    entry.regs[0] = parsed.reg;
    entry.info.reg_count = 1;
    entry.irqs[0].kind = IrqSource::Kind::gsi;
    entry.irqs[0].number = parsed.irq;
    entry.info.irq_count = 1;
    return devices.push(entry);
}

void discover_command_line() {
    command_line().for_each([](const CommandLine::Word& word) {
        if (word.key != StringView("virtio_mmio.device") || !word.value) {
            return;
        }
        if (Result<void> added = add_command_line_device(*word.value); added.is_error()) {
            log::warn("platform: virtio_mmio.device={}: {} (want <size>@<base>:<irq>)", *word.value,
                      added.error());
        }
    });
}

} // namespace

namespace bus {

void discover_platform_devices() {
    discover_device_tree();
    discover_command_line();
    for (const Entry& e : devices) {
        log::debug("platform: {} ({}) at {:#x}, {} reg, {} irq", e.info.name, e.info.compatible,
                   e.info.first_reg, e.info.reg_count, e.info.irq_count);
    }
    if (!devices.empty()) {
        log::info("platform: {} devices from {:#x} ({}; drivers report what they bind)",
                  devices.size(), devices[0].info.first_reg, devices[0].info.compatible);
    }
}

} // namespace bus

struct PlatformDeviceAccess {
    static PlatformDevice make(usize index) { return PlatformDevice(index); }
};

namespace platform {

usize device_count() { return devices.size(); }

Optional<PlatformDeviceInfo> device_info(usize index) {
    SpinLockGuard guard(lock);
    if (index >= devices.size()) {
        return none;
    }
    return devices[index].info;
}

Result<PlatformDevice> claim(usize index) {
    SpinLockGuard guard(lock);
    if (index >= devices.size()) {
        return Errno::enoent;
    }
    if (devices[index].info.claimed) {
        return Errno::ebusy;
    }
    devices[index].info.claimed = true;
    return PlatformDeviceAccess::make(index);
}

} // namespace platform

PlatformDevice::~PlatformDevice() {
    if (index_ == none_claimed) {
        return;
    }
    SpinLockGuard guard(lock);
    devices[index_].info.claimed = false;
}

const PlatformDeviceInfo& PlatformDevice::info() const { return devices[index_].info; }

Result<IoMem> PlatformDevice::map_reg(usize i) const {
    const Entry& e = devices[index_];
    if (i >= e.info.reg_count) {
        return Errno::enoent;
    }
    return IoMem::acquire(e.regs[i].base, e.regs[i].size);
}

Result<IrqLine> PlatformDevice::irq(usize i) const {
    const Entry& e = devices[index_];
    if (i >= e.info.irq_count) {
        return Errno::enoent;
    }
    return IrqLine::acquire(e.irqs[i]);
}

// The QEMU virt machines' buses are cache-coherent and carry no dma-ranges: device addresses
// are physical addresses. (A tree with dma-ranges would be translated here.)
DmaSpace PlatformDevice::dma_space() const { return DmaSpace::identity(); }

} // namespace keel
