#include "backtrace.h"

#include <arch/cpu.h>
#include <arch/memory.h>

namespace keel {

void print_backtrace(FormatSink& out, usize max_frames) {
    VirtRange stack = arch::boot_stack();
    uptr fp = arch::current_frame_pointer();
    format(out, "backtrace:\n");
    for (usize depth = 0; depth < max_frames; ++depth) {
        uptr record = fp + static_cast<uptr>(arch::frame_record_offset);
        // Only follow records that lie on a known kernel stack and are aligned: a corrupted
        // chain ends the backtrace instead of faulting inside the panic path.
        if (fp == 0 || record % sizeof(uptr) != 0 || !stack.contains(record, 2 * sizeof(uptr))) {
            break;
        }
        // SAFETY: both words were just checked to lie within the boot stack.
        uptr caller_fp = *reinterpret_cast<const uptr*>(record);
        uptr return_address = *reinterpret_cast<const uptr*>(record + sizeof(uptr));
        if (return_address == 0) {
            break;
        }
        // The return address points after the call; look up the call itself.
        Optional<SymbolHit> hit = symbolize(return_address - 1);
        if (hit) {
            format(out, "  #{:<2} {:#018x} {}+{:#x}\n", depth, return_address, hit->name,
                   hit->offset + 1);
        } else {
            format(out, "  #{:<2} {:#018x} ?\n", depth, return_address);
        }
        if (caller_fp <= fp) {
            break; // stacks grow down: a caller's frame is always above ours
        }
        fp = caller_fp;
    }
}

} // namespace keel
