// The host backend of the framework's failure paths: a broken invariant aborts the test binary
// (GoogleTest death tests can expect it) instead of panicking a kernel.
#include <cstdio>
#include <cstdlib>

#include <keel/ktl/assert.h>

namespace keel::detail {

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line) {
    std::fprintf(stderr, "assertion failed: %s at %s:%d\n", expr, file, line);
    std::abort();
}

[[noreturn]] void bounds_failed(usize index, usize size, const char* file, int line) {
    std::fprintf(stderr, "index %zu out of bounds (size %zu) at %s:%d\n", index, size, file, line);
    std::abort();
}

} // namespace keel::detail
