// Kernel-mode faults: each arch's trap code decodes the fault and hands it here; the generic
// code names what happened (stack overflow, write to kernel text, NULL dereference, ...), prints
// the report with a backtrace of the faulting context, and stops the kernel.
#pragma once

#include <keel/ktl/types.h>

namespace keel {

enum class FaultAccess : u8 { read, write, execute };

struct KernelFault {
    uptr address = 0; // the faulting data or instruction address
    uptr pc = 0;      // where the CPU was
    uptr sp = 0;      // its stack pointer then
    uptr fp = 0;      // its frame pointer then: the backtrace starts here
    FaultAccess access = FaultAccess::read;
    bool protection = false; // the page was mapped but the access not allowed
};

// Never returns. May be called on an emergency stack (a stack overflow cannot report on the
// overflowed stack).
[[noreturn]] void report_kernel_fault(const KernelFault& fault);

} // namespace keel
