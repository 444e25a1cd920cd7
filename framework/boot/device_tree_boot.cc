// The device-tree boot protocol (riscv64 and aarch64: OpenSBI, U-Boot): what the tree says
// about memory, reservations, the command line, the initrd and the machine.
#include "boot/devicetree.h"
#include "boot/protocols.h"

namespace keel::boot {

Result<void> parse_device_tree(Bytes dtb, u64 dtb_phys, BootInfo& info, MemoryMapBuilder& map) {
    DeviceTree dt = TRY(DeviceTree::open(dtb));
    info.protocol = BootProtocol::DeviceTree;
    info.device_tree = PhysRange{dtb_phys, dt.blob().size()};
    TRY(map.add(dtb_phys, dt.blob().size(), MemoryKind::DeviceTree));

    Result<void> status;
    dt.for_each_node([&](DeviceTree::Node node) {
        Optional<StringView> type = dt.string_property(node, "device_type");
        if (status.is_error() || !type || !(*type == StringView("memory")) ||
            !dt.is_enabled(node)) {
            return;
        }
        Result<void> r = dt.for_each_reg(node, [&](u64 base, u64 size) {
            if (status.ok()) {
                status = map.add(base, size, MemoryKind::Usable);
            }
        });
        if (r.is_error()) {
            status = r;
        }
    });
    TRY(status);

    if (Optional<DeviceTree::Node> reserved = dt.find("/reserved-memory")) {
        dt.for_each_child(*reserved, [&](DeviceTree::Node node) {
            Result<void> r = dt.for_each_reg(node, [&](u64 base, u64 size) {
                if (status.ok()) {
                    status = map.add(base, size, MemoryKind::Reserved);
                }
            });
            if (r.is_error()) {
                status = r;
            }
        });
        TRY(status);
    }
    for (usize i = 0; i < dt.reservation_count(); ++i) {
        if (Optional<PhysRange> r = dt.reservation(i)) {
            TRY(map.add(r->base, r->size, MemoryKind::Reserved));
        }
    }

    if (Optional<DeviceTree::Node> chosen = dt.find("/chosen")) {
        if (Optional<StringView> args = dt.string_property(*chosen, "bootargs")) {
            info.cmdline.write(*args);
        }
        Optional<u64> start = dt.integer_property(*chosen, "linux,initrd-start");
        Optional<u64> end = dt.integer_property(*chosen, "linux,initrd-end");
        if (start && end && *end > *start) {
            info.initrd = PhysRange{*start, *end - *start};
            TRY(map.add(*start, *end - *start, MemoryKind::Initrd));
        }
    }
    if (Optional<StringView> model = dt.string_property(DeviceTree::root, "model")) {
        info.platform.model.write(*model);
    }
    if (Optional<DeviceTree::Node> cpus = dt.find("/cpus")) {
        u32 count = 0;
        dt.for_each_child(*cpus, [&](DeviceTree::Node node) {
            Optional<StringView> type = dt.string_property(node, "device_type");
            if (type && *type == StringView("cpu") && dt.is_enabled(node)) {
                ++count;
            }
        });
        info.platform.cpu_count = count;
        info.platform.timebase_hz = dt.integer_property(*cpus, "timebase-frequency").value_or(0);
    }
    return {};
}

} // namespace keel::boot
