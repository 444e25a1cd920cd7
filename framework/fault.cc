// The generic half of kernel fault handling: name the fault, print it, backtrace, stop.
#include "fault.h"

#include <keel/panic.h>

#include <arch/paging.h>

#include "backtrace.h"
#include "console/console.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"

namespace keel {

namespace {
StringView to_string(FaultAccess access) {
    switch (access) {
    case FaultAccess::read:
        return "read";
    case FaultAccess::write:
        return "write";
    case FaultAccess::execute:
        return "execute";
    }
    return "access";
}

bool in(VirtRange r, uptr a) { return a >= r.base && a < r.end; }

// What the fault was, in the words a kernel engineer would search for.
StringView classify(const KernelFault& f, const arch::KernelLayout& layout) {
    if (mm::guard_of(f.address) || (mm::guard_of(f.sp) && f.access == FaultAccess::write)) {
        return "kernel stack overflow";
    }
    if (f.address < 64 * 1024) {
        return "NULL pointer dereference";
    }
    if (f.access == FaultAccess::write && in(layout.text, f.address)) {
        return "write to read-only kernel text";
    }
    if (f.access == FaultAccess::write && in(layout.rodata, f.address)) {
        return "write to read-only kernel data";
    }
    if (f.access == FaultAccess::execute && f.protection) {
        return "execute of non-executable kernel memory";
    }
    if (f.address < layout.user_end) {
        return "kernel access to a user address";
    }
    if (f.protection) {
        return "kernel access violates page protection";
    }
    return "kernel access to unmapped address";
}
} // namespace

void report_kernel_fault(const KernelFault& f) {
    arch::KernelLayout layout = arch::kernel_layout();
    detail::panic_begin();
    FormatSink& out = detail::panic_sink();
    format(out, "{}: {} at address {:#018x} ({})\n", classify(f, layout), to_string(f.access),
           f.address, f.protection ? StringView("page protection") : "page not present");
    if (Optional<mm::StackFacts> stack = mm::guard_of(f.address)) {
        format(out, "  the address is in the guard page below the {} [{:#x}, {:#x})\n",
               stack->boot_stack ? StringView("boot stack") : "kernel stack", stack->stack.base,
               stack->stack.end);
    }
    Optional<SymbolHit> at = symbolize(f.pc);
    format(out, "  pc {:#018x} {}+{:#x}\n  sp {:#018x}  fp {:#018x}", f.pc,
           at ? at->name : StringView("?"), at ? at->offset : 0, f.sp, f.fp);
    detail::panic_finish_from(f.fp);
}

} // namespace keel
