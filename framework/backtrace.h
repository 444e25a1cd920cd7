// Frame-pointer backtraces (the kernel is built with -fno-omit-frame-pointer on every arch).
#pragma once

#include <keel/ktl/format.h>
#include <keel/ktl/optional.h>

namespace keel {

// Prints up to max_frames return addresses from the caller's frame, with symbol+offset.
void print_backtrace(FormatSink& out, usize max_frames = 32);
// The same from the frame record at fp (a faulting context's frame pointer).
void print_backtrace_from(FormatSink& out, uptr fp, usize max_frames = 32);

// "function+0x1c" for a kernel text address, from the embedded symbol table.
struct SymbolHit {
    StringView name;
    u64 offset = 0;
};
Optional<SymbolHit> symbolize(uptr address);

} // namespace keel
