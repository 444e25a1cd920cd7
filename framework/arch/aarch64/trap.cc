// Exceptions taken by the kernel (vectors.S). Data and instruction aborts that are page faults
// become a KernelFault for the generic report (fault.h); everything else is still fatal and
// reported here. Both run on the emergency stack, never on the interrupted one.
#include <keel/ktl/format.h>

#include <arch/cpu.h>
#include <arch/power.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "backtrace.h"
#include "console/console.h"
#include "fault.h"

namespace keel::arch {
namespace {

constinit bool in_trap_report = false;

// ESR_EL1 (Arm ARM D17.2.40): the exception class, and the abort ISS bits used here.
constexpr u64 ec_instruction_abort_same_el = 0x21;
constexpr u64 ec_data_abort_same_el = 0x25;
constexpr u64 iss_write = u64{1} << 6;             // WnR
constexpr u64 iss_cache_maintenance = u64{1} << 8; // CM: reported as a read, as Linux does
constexpr u64 iss_far_not_valid = u64{1} << 10;    // FnV

u64 exception_class(u64 esr) { return (esr >> 26) & 0x3f; }

// The fault status code (DFSC/IFSC, ESR bits 5:0) of a page fault: 0b00_00LL address size,
// 0b00_01LL translation (nothing mapped), 0b00_10LL access flag, 0b00_11LL permission, each
// at lookup level LL. Everything else (alignment, external aborts, TLB conflicts) is not one.
constexpr u64 fsc_kind(u64 esr) { return (esr & 0x3f) >> 2; }
constexpr u64 fsc_permission = 3;
constexpr bool is_page_fault_status(u64 esr) { return (esr & 0x3f) < 0x10; }

Optional<KernelFault> page_fault(const TrapFrame& frame) {
    u64 ec = exception_class(frame.esr);
    bool data = ec == ec_data_abort_same_el;
    if ((!data && ec != ec_instruction_abort_same_el) || !is_page_fault_status(frame.esr) ||
        (frame.esr & iss_far_not_valid) != 0) {
        return none;
    }
    FaultAccess access = FaultAccess::execute;
    if (data) {
        bool write = (frame.esr & (iss_write | iss_cache_maintenance)) == iss_write;
        access = write ? FaultAccess::write : FaultAccess::read;
    }
    return KernelFault{
        .address = frame.far,
        .pc = frame.elr,
        .sp = frame.sp,
        .fp = frame.x[29],
        .access = access,
        .protection = fsc_kind(frame.esr) == fsc_permission,
    };
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

// The first lines of every fatal exception report; halts if a report is already under way
// (the report itself faulted).
void begin_report(u64 vector, u64 esr, u64 elr, u64 far, u64 lr) {
    if (elr == address_of(keel_semihosting_hlt)) {
        semihosting_unavailable(); // power_off's semihosting call, without a semihosting host
    }
    if (in_trap_report) {
        halt();
    }
    in_trap_report = true;
    format(console::sink(), "\n*** exception: {} from {} (ESR {:#x}, EC {:#x}, FAR {:#x})\n",
           vector_kind(vector), vector_origin(vector), esr, esr >> 26, far);
    print_address("ELR", elr);
    print_address("LR ", lr);
}

} // namespace
} // namespace keel::arch

extern "C" [[noreturn]] void keel_arch_kernel_exception(keel::u64 vector,
                                                        keel::arch::TrapFrame* frame) {
    using namespace keel;
    const arch::TrapFrame& f = *frame;
    if (vector % 4 == 0) {
        if (Optional<KernelFault> fault = arch::page_fault(f)) {
            report_kernel_fault(*fault);
        }
    }
    arch::begin_report(vector, f.esr, f.elr, f.far, f.x[30]);
    format(console::sink(), "  SP  {:#018x}  FP {:#018x}\n", f.sp, f.x[29]);
    print_backtrace_from(console::sink(), f.x[29]);
    console::write("*** fatal exception; powering off\n");
    arch::power_off(3);
}

extern "C" [[noreturn]] void keel_arch_early_trap(keel::u64 vector, keel::u64 esr, keel::u64 elr,
                                                  keel::u64 far, keel::u64 lr) {
    using namespace keel;
    arch::begin_report(vector, esr, elr, far, lr);
    console::write("*** no handling for this exception; powering off\n");
    arch::power_off(3);
}
