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
constexpr u64 psci_cpu_on_64 = 0xc4000003;
constexpr i64 psci_not_supported = -1;

// QEMU virt without EL2 says "hvc"; install_console reads the real method from the DT.
constinit PsciConduit psci = PsciConduit::Hvc;
constinit int pending_status = 0;

// An SMCCC call through the device tree's conduit; returns x0 (PSCI: 0 or a negative error),
// or not_supported without a conduit.
i64 psci_call(u64 function, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0) {
    register u64 x0 asm("x0") = function;
    register u64 x1 asm("x1") = a1;
    register u64 x2 asm("x2") = a2;
    register u64 x3 asm("x3") = a3;
    // An SMCCC call: the firmware may clobber x0-x17 and nothing else; "memory" because it may
    // read what the arguments point to (CPU_ON's context block) and write nothing the kernel
    // owns.
    if (psci == PsciConduit::Hvc) {
        // SAFETY: EL1 may issue HVC when the DT names it as PSCI's method (EL2 firmware is
        // there to take it); the outputs and clobbers are SMCCC's x0-x17.
        asm volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    } else if (psci == PsciConduit::Smc) {
        // SAFETY: EL1 may issue SMC when the DT names it as PSCI's method (EL3 firmware is
        // there to take it); the outputs and clobbers are SMCCC's x0-x17.
        asm volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    } else {
        return psci_not_supported;
    }
    return static_cast<i64>(x0);
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

i64 psci_cpu_on(u64 mpidr, u64 entry_phys, u64 context) {
    return psci_call(psci_cpu_on_64, mpidr, entry_phys, context);
}

[[noreturn]] void semihosting_unavailable() { power_off_without_semihosting(pending_status); }

[[noreturn]] void power_off(int status) {
    pending_status = status;
    keel_semihosting_exit(static_cast<u64>(static_cast<u32>(status)));
    power_off_without_semihosting(status);
}

} // namespace keel::arch
