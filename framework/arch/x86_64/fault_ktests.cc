// Fatal ktests of the x86-64 fault path, beyond the generic mm_fault ones: each ends the kernel
// with a fault report, so each runs alone (`./keel run -- ktest=x86_fault.NAME`). They check
// what traps.cc decodes: the execute bit of the #PF error code, SMAP, and the report's move to
// the emergency stack when a #PF arrives with the stack nearly used up.
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/vm_space.h>

#include <arch/power.h>

#include <arch/memory.h>
#include <arch/paging.h>

#include "address.h"
#include "x86.h"

namespace keel::x86::fault_ktests {

// A `ret` in writable, non-executable data.
constinit Array<u8, 16> data_code{0xc3};

KTEST_FATAL(x86_fault, execute_data) {
    // SAFETY: deliberately jumps into a non-executable page: the fetch faults (XD) before the
    // byte could run, and the fault ends the kernel.
    auto fn = reinterpret_cast<void (*)()>(reinterpret_cast<uptr>(data_code.span().data()));
    fn();
}

// A read of a mapped user page outside user_access_begin/end: SMAP stops it (a protection
// fault). A CPU without SMAP (QEMU's default qemu64) lets it through; the test then powers off
// with a failure and no report, which is what it is: nothing enforced. Run with -cpu max.
KTEST_FATAL(x86_fault, smap_blocks_user_read) {
    Result<Frame> frame = Frame::allocate();
    Result<Box<VmSpace>> space = VmSpace::create();
    constexpr uptr va = 0x7000'0000;
    if (!frame.ok() || !space.ok() || !space.value()->map(va, frame.value(), Perms::read).ok()) {
        arch::power_off(1);
    }
    space.value()->activate();
    // SAFETY: va is mapped in the active user root; the read is meant to fault under SMAP.
    (void)*reinterpret_cast<const volatile u64*>(va);
    arch::power_off(1); // not stopped: SMAP is off
}

[[gnu::noinline]] void null_read() {
    // SAFETY: deliberately reads address 8: unmapped, the fault ends the kernel.
    (void)*reinterpret_cast<const volatile u64*>(uptr{8});
}

// Recurses until less than `left` bytes of the boot stack remain, then faults there: the #PF
// frame still fits, the report (symbolizing, formatting, a backtrace) would not. Each level
// takes ~96 bytes, so the fault comes with between left - 96 and left bytes to spare; the trip
// to the emergency stack needs ~290 (176 of saved frame, the calls to deliver_fault). 512 fits
// that whatever the layout above; without the switch the report overflows (checked by hand).
[[gnu::noinline]] void fault_near_the_stack_end(usize left) {
    Array<u8, 64> filler{};
    uptr sp = address_of(&filler);
    filler[sp % 64] = 1;
    if (sp - arch::boot_stack().base < left) {
        null_read();
    } else {
        fault_near_the_stack_end(left);
    }
    // SAFETY: an empty asm emits no instruction; taking filler[0] as an input after the call
    // keeps the frame alive (no tail call), and "memory" only costs reloads.
    asm volatile("" : : "r"(filler[0]) : "memory");
}

KTEST_FATAL(x86_fault, null_read_with_little_stack_left) { fault_near_the_stack_end(512); }

} // namespace keel::x86::fault_ktests
