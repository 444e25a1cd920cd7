// A view of a stack array returned past its frame (issue 14: a StringView of a dead stack
// array). Array::span() and Span's array constructor are [[clang::lifetimebound]], so the
// compiler sees the view outlive the array.
// expect-rule: Wreturn-stack-address|Wdangling
#include <keel/ktl/array.h>
#include <keel/ktl/span.h>

namespace keel::gate {

Span<const u8> dangling_span() {
    Array<u8, 8> local{};
    return local.span();
}

} // namespace keel::gate
