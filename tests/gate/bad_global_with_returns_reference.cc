// Global::with returns what the callable returns: a reference to the guarded value outlives
// the lock (another CPU's push_back frees the storage under it).
// expect-rule: no-escaping-reference
#include <keel/global.h>
namespace keel::gate {
namespace {
KEEL_GLOBAL(keel::Vector<int>, registered);
} // namespace
int read_unlocked() {
    keel::Vector<int>& all = registered.with([](keel::Vector<int>& v) -> keel::Vector<int>& { return v; });
    return all[0];
}
} // namespace keel::gate
