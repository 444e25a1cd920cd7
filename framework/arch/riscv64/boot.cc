// riscv64: from entry.S to the generic boot, and the stand-in trap handler.
#include <keel/panic.h>

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

// entry.S's trap_entry, for any trap until real trap handling exists: a kernel fault is a bug.
extern "C" [[noreturn]] void keel_riscv_unexpected_trap(keel::u64 scause, keel::u64 sepc,
                                                        keel::u64 stval) {
    keel::panic("unexpected trap: scause {:#x} sepc {:#x} stval {:#x}", scause, sepc, stval);
}
