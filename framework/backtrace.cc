#include "backtrace.h"

#include <arch/cpu.h>
#include <arch/memory.h>

#include "mm/kernel_vm.h"

namespace keel {

// No tail call: current_frame_pointer() is this function's own frame record, which a tail call
// would pop (and print_backtrace_from overwrite) before the walk reads it.
[[clang::disable_tail_calls]] void print_backtrace(FormatSink& out, usize max_frames) {
    print_backtrace_from(out, arch::current_frame_pointer(), max_frames);
}

namespace {
void print_frame(FormatSink& out, usize depth, uptr return_address) {
    // The return address points after the call; look up the call itself.
    Optional<SymbolHit> hit = symbolize(return_address - 1);
    if (hit) {
        format(out, "  #{:<2} {:#018x} {}+{:#x}\n", depth, return_address, hit->name,
               hit->offset + 1);
    } else {
        format(out, "  #{:<2} {:#018x} ?\n", depth, return_address);
    }
}
} // namespace

void print_backtrace_from(FormatSink& out, uptr fp, usize max_frames) {
    format(out, "backtrace:\n");
    // A deep recursion (a stack overflow) prints its repeated frame once with a count, so the
    // frames below it stay within max_frames.
    constexpr usize max_walk = 100000;
    uptr repeated = 0;
    usize repeats = 0;
    usize printed = 0;
    for (usize depth = 0; depth < max_walk && printed < max_frames; ++depth) {
        uptr record = fp + static_cast<uptr>(arch::frame_record_offset);
        // Only follow records that lie on a known kernel stack and are aligned: a corrupted
        // chain ends the backtrace instead of faulting inside the panic path.
        if (fp == 0 || record % sizeof(uptr) != 0 ||
            !mm::on_kernel_stack(record, 2 * sizeof(uptr))) {
            break;
        }
        // SAFETY: both words were just checked to lie within a live kernel stack.
        uptr caller_fp = *reinterpret_cast<const uptr*>(record);
        // SAFETY: the record's second word, inside the same checked two-word range.
        uptr return_address = *reinterpret_cast<const uptr*>(record + sizeof(uptr));
        if (return_address == 0) {
            break;
        }
        if (return_address == repeated) {
            ++repeats;
        } else {
            if (repeats > 0) {
                format(out, "       ... the same frame {} more times\n", repeats);
            }
            repeated = return_address;
            repeats = 0;
            print_frame(out, depth, return_address);
            ++printed;
        }
        if (caller_fp <= fp) {
            break; // stacks grow down: a caller's frame is always above ours
        }
        fp = caller_fp;
    }
    if (repeats > 0) {
        format(out, "       ... the same frame {} more times\n", repeats);
    }
}

} // namespace keel
