// Power-off: semihosting SYS_EXIT carries the status to QEMU (-semihosting). Without it, PSCI
// SYSTEM_OFF; but QEMU exits 0 on SYSTEM_OFF, so a failing status halts instead of powering off,
// and a failure can never pass for a success.
#include <arch/cpu.h>
#include <arch/power.h>

#include "arch/aarch64/aarch64.h"
#include "console/console.h"

namespace keel::arch {

namespace {
enum class PsciConduit : u8 { None, Hvc, Smc };

constexpr u64 psci_system_off = 0x84000008;

// QEMU virt without EL2 says "hvc"; install_console reads the real method from the DT.
constinit PsciConduit psci = PsciConduit::Hvc;
constinit int pending_status = 0;

void psci_call(u64 function) {
    register u64 x0 asm("x0") = function;
    // SAFETY: an SMCCC call; the firmware may clobber x0-x17 and nothing else.
    if (psci == PsciConduit::Hvc) {
        asm volatile("hvc #0"
                     : "+r"(x0)
                     :
                     : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
                       "x13", "x14", "x15", "x16", "x17", "memory");
    } else if (psci == PsciConduit::Smc) {
        asm volatile("smc #0"
                     : "+r"(x0)
                     :
                     : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
                       "x13", "x14", "x15", "x16", "x17", "memory");
    }
}

[[noreturn]] void power_off_without_semihosting(int status) {
    if (status == 0) {
        psci_call(psci_system_off);
    } else {
        console::write("power: no semihosting to report a failing status; halting\n");
    }
    halt();
}
} // namespace

void set_psci_method(StringView method) {
    if (method == StringView("hvc")) {
        psci = PsciConduit::Hvc;
    } else if (method == StringView("smc")) {
        psci = PsciConduit::Smc;
    } else {
        psci = PsciConduit::None;
    }
}

[[noreturn]] void semihosting_unavailable() { power_off_without_semihosting(pending_status); }

[[noreturn]] void power_off(int status) {
    pending_status = status;
    keel_semihosting_exit(static_cast<u64>(static_cast<u32>(status)));
    power_off_without_semihosting(status);
}

} // namespace keel::arch
