// The first C++ code (from boot.S) and the early exception report (from vectors.S).
#include <keel/ktl/format.h>

#include <arch/cpu.h>
#include <arch/power.h>

#include "arch/aarch64/aarch64.h"
#include "backtrace.h"
#include "boot/start.h"
#include "console/console.h"

namespace keel::arch {
namespace {

constinit bool in_early_trap = false;

u64 read_mpidr() {
    u64 value = 0;
    // SAFETY: reading an identification register has no side effects.
    asm volatile("mrs %0, mpidr_el1" : "=r"(value));
    return value;
}

// The vector table has four groups (by origin) of four entries (by kind).
StringView vector_kind(u64 vector) {
    switch (vector % 4) {
    case 0:
        return "synchronous";
    case 1:
        return "IRQ";
    case 2:
        return "FIQ";
    default:
        return "SError";
    }
}

StringView vector_origin(u64 vector) {
    switch (vector / 4) {
    case 0:
        return "EL1 with SP_EL0";
    case 1:
        return "EL1";
    case 2:
        return "EL0 (AArch64)";
    default:
        return "EL0 (AArch32)";
    }
}

void print_address(StringView label, u64 address) {
    FormatSink& out = console::sink();
    format(out, "  {} {:#018x}", label, address);
    if (Optional<SymbolHit> hit = symbolize(address)) {
        format(out, " {}+{:#x}", hit->name, hit->offset);
    }
    format(out, "\n");
}

} // namespace
} // namespace keel::arch

extern "C" [[noreturn]] void keel_arch_start(keel::u64 dtb_phys, keel::u64 load_base) {
    using namespace keel;
    arch::set_kernel_load_base(load_base);
    // MPIDR affinity: Aff2.Aff1.Aff0 in bits 23:0, Aff3 in bits 39:32 (moved next to them).
    u64 mpidr = arch::read_mpidr();
    u64 affinity = (mpidr & 0xffffff) | (((mpidr >> 32) & 0xff) << 24);
    boot::start({BootProtocol::DeviceTree, dtb_phys, affinity});
}

extern "C" [[noreturn]] void keel_arch_early_trap(keel::u64 vector, keel::u64 esr, keel::u64 elr,
                                                  keel::u64 far, keel::u64 lr) {
    using namespace keel;
    if (elr == reinterpret_cast<uptr>(keel_semihosting_hlt)) {
        arch::semihosting_unavailable();
    }
    if (arch::in_early_trap) {
        arch::halt(); // the report itself faulted; stop rather than loop
    }
    arch::in_early_trap = true;
    format(console::sink(), "\n*** early exception: {} from {} (ESR {:#x}, EC {:#x}, FAR {:#x})\n",
           arch::vector_kind(vector), arch::vector_origin(vector), esr, esr >> 26, far);
    arch::print_address("ELR", elr);
    arch::print_address("LR ", lr);
    console::write("*** no trap handling yet; powering off\n");
    arch::power_off(3);
}
