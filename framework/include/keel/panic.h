// panic: the kernel's own invariant is broken. Prints the message, the CPU and a symbolized
// backtrace, then powers off with a failing status. Never used for bad user or device input.
#pragma once

#include <keel/ktl/format.h>

namespace keel {

namespace detail {
void panic_begin();
FormatSink& panic_sink();
[[noreturn]] void panic_finish();
// Ends a panic whose backtrace starts at another context's frame pointer (a fault's).
[[noreturn]] void panic_finish_from(uptr frame_pointer);
} // namespace detail

template <typename... Args>
[[noreturn]] void panic(StringView fmt, const Args&... args) {
    detail::panic_begin();
    format(detail::panic_sink(), fmt, args...);
    detail::panic_finish();
}

} // namespace keel
