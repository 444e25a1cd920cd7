// riscv64: the console concern of the arch contract. The device tree names the UART (QEMU virt:
// ns16550a at 0x10000000); without one, the SBI console (sbi_console.cc) stays.
#include <arch/console.h>
#include <arch/memory.h>

#include "console/console.h"

namespace keel::arch {

namespace {
Result<void> install_device_tree_console(const BootInfo& info) {
    if (!info.device_tree) {
        return Errno::enodev;
    }
    PhysRange dtb = *info.device_tree;
    if (dtb.end() > early_phys_limit()) {
        return Errno::enodev;
    }
    // SAFETY: the boot code parsed this range as the DTB through the same linear map.
    Bytes blob = Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(dtb.base)), dtb.size);
    boot::DeviceTree dt = TRY(boot::DeviceTree::open(blob));
    return console::install_from_device_tree(dt);
}
} // namespace

void install_console(const BootInfo& info) {
    // On failure the SBI console keel_riscv_main() installed stays.
    (void)install_device_tree_console(info);
}

} // namespace keel::arch
