// Invariant checks usable from any layer. A failed check is a kernel bug, never a user error:
// it panics with the source location. Bounds checks in ktl containers use the same path.
#pragma once

#include <keel/ktl/types.h>

namespace keel::detail {
// Defined by the framework (panic with message and backtrace) and by the host backend (abort).
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);
[[noreturn]] void bounds_failed(usize index, usize size, const char* file, int line);
} // namespace keel::detail

#define KEEL_ASSERT(expr)                                                                          \
    ((expr) ? static_cast<void>(0) : ::keel::detail::assertion_failed(#expr, __FILE__, __LINE__))

#define KEEL_BOUNDS_CHECK(index, size)                                                             \
    (((index) < (size)) ? static_cast<void>(0)                                                     \
                        : ::keel::detail::bounds_failed((index), (size), __FILE__, __LINE__))
