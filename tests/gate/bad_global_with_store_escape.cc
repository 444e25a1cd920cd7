// The guarded Vector's address stored through a by-reference capture, used unlocked.
// expect-rule: no-escaping-reference
#include <keel/global.h>
namespace keel::gate {
namespace {
KEEL_GLOBAL(keel::Vector<int>, registered);
} // namespace
int read_unlocked() {
    keel::Vector<int>* all = nullptr;
    registered.with([&](keel::Vector<int>& v) { all = &v; });
    return (*all)[0];
}
} // namespace keel::gate
