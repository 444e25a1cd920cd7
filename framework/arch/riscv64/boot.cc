// riscv64: from entry.S to the generic boot.
#include "boot/start.h"
#include "console/console.h"
#include "power_device.h"
#include "sbi.h"

// entry.S, in the high half with the boot stack: the bootloader's a0 (hart id) and a1 (DTB).
extern "C" [[noreturn]] void keel_riscv_main(keel::u64 hart_id, keel::u64 dtb_phys) {
    // First, so that a failure from here on is both seen and reaches QEMU's exit status; the
    // device tree's UART replaces this console in boot::start().
    keel::console::install(keel::arch::riscv::sbi::console());
    keel::arch::riscv::find_power_device(dtb_phys);
    keel::boot::start({keel::BootProtocol::DeviceTree, dtb_phys, hart_id});
}
