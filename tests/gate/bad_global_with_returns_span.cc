// Global::with returning a Span of the guarded vector: a view that outlives the lock.
// expect-rule: no-escaping-reference
#include <keel/global.h>
namespace keel::gate {
namespace {
KEEL_GLOBAL(keel::Vector<int>, registered);
} // namespace
int read_unlocked() {
    keel::Span<int> all = registered.with([](keel::Vector<int>& v) { return v.span(); });
    return all[0];
}
} // namespace keel::gate
