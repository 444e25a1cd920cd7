// Platform devices: the device tree's virtio,mmio nodes are listed with their windows and
// interrupts, each is handed out once, and the virtio_mmio.device= form parses as Linux's does.
#include <keel/ktest.h>
#include <keel/platform_device.h>

#include "boot/live_device_tree.h"
#include "bus/bus.h"

namespace keel {
namespace {

usize virtio_mmio_nodes() {
    Optional<boot::DeviceTree> dt = boot::live_device_tree();
    usize n = 0;
    if (dt) {
        dt->for_each_node([&](boot::DeviceTree::Node node) {
            n += dt->is_enabled(node) && dt->is_compatible(node, "virtio,mmio") ? 1 : 0;
        });
    }
    return n;
}

usize virtio_mmio_devices() {
    usize n = 0;
    for (usize i = 0; i < platform::device_count(); ++i) {
        n += platform::device_info(i)->compatible == StringView("virtio,mmio") ? 1 : 0;
    }
    return n;
}

} // namespace

KTEST(platform, every_virtio_mmio_node_is_listed_with_its_window_and_interrupt) {
    KEXPECT_EQ(virtio_mmio_devices(), virtio_mmio_nodes());
    for (usize i = 0; i < platform::device_count(); ++i) {
        PlatformDeviceInfo info = *platform::device_info(i);
        KEXPECT(info.reg_count >= 1);
        KEXPECT(info.first_reg != 0);
        KEXPECT(info.irq_count >= 1);
    }
    KEXPECT(!platform::device_info(platform::device_count()).has_value());
}

KTEST(platform, a_device_is_claimed_once_and_hands_out_only_its_own_resources) {
    if (platform::device_count() == 0) {
        ktest::skip("no platform devices on this machine");
        return;
    }
    // Drivers bound at boot hold some: find a free one.
    Optional<usize> free;
    for (usize i = 0; i < platform::device_count() && !free; ++i) {
        if (!platform::device_info(i)->claimed) {
            free = i;
        }
    }
    if (!free) {
        ktest::skip("every platform device is bound to a driver");
        return;
    }
    {
        Result<PlatformDevice> dev = platform::claim(*free);
        KASSERT(dev.ok());
        KEXPECT(platform::device_info(*free)->claimed);
        KEXPECT_EQ(platform::claim(*free).error(), Errno::ebusy);
        KEXPECT_EQ(dev.value().map_reg(dev.value().info().reg_count).error(), Errno::enoent);
        KEXPECT_EQ(dev.value().irq(dev.value().info().irq_count).error(), Errno::enoent);
        Result<IoMem> regs = dev.value().map_reg(0);
        KASSERT(regs.ok());
        KEXPECT_EQ(regs.value().phys(), dev.value().info().first_reg);
        // virtio-mmio: the magic value "virt" opens every slot, empty or not.
        if (dev.value().info().compatible == StringView("virtio,mmio")) {
            KEXPECT_EQ(regs.value().read32(0).value_or(0), 0x74726976u);
        }
        Result<IrqLine> line = dev.value().irq(0);
        KEXPECT(line.ok());
    }
    KEXPECT(!platform::device_info(*free)->claimed);
    KEXPECT_EQ(platform::claim(platform::device_count()).error(), Errno::enoent);
}

KTEST(platform, virtio_mmio_command_line_parameter_parses_like_linux) {
    Result<bus::VirtioMmioParameter> p = bus::parse_virtio_mmio_device("4K@0xfeb00000:12");
    KASSERT(p.ok());
    KEXPECT_EQ(p.value().reg.base, 0xfeb00000u);
    KEXPECT_EQ(p.value().reg.size, 4096u);
    KEXPECT_EQ(p.value().irq, 12u);
    p = bus::parse_virtio_mmio_device("0x200@4096:5:3");
    KASSERT(p.ok());
    KEXPECT_EQ(p.value().reg.base, 4096u);
    KEXPECT_EQ(p.value().reg.size, 0x200u);
    for (StringView bad :
         {StringView(""), StringView("4K"), StringView("4K@"), StringView("4K@0x1000"),
          StringView("4K@0x1000:"), StringView("0@1:1"), StringView("4K@0x1000:5x"),
          StringView("1G@0xffffffffffffff00:1"), StringView("99999999999999999999K@0:1")}) {
        KEXPECT_EQ(bus::parse_virtio_mmio_device(bad).error(), Errno::einval);
    }
}

} // namespace keel
