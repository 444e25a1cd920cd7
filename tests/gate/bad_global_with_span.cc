// The same through a view: a Span of the locked value outlives the lock as surely as a T&.
// expect-rule: Global::with: the callback returns a reference, pointer or view
#include <keel/global.h>
#include <keel/ktl/array.h>
namespace keel::gate {
using Buffer = Array<u8, 16>;
KEEL_GLOBAL(Buffer, buffer);
u8 race() {
    Span<u8> escaped = buffer.with([](Buffer& value) { return value.span(); });
    return escaped[0];
}
} // namespace keel::gate
