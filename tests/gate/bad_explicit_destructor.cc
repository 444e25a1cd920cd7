// Destroying an owned object by hand: it is destroyed again when its owner goes.
// expect-rule: no-explicit-destructor
#include <keel/box.h>
namespace keel::gate {
struct Thing { int v = 0; };
void twice(Box<Thing>& thing) { thing->~Thing(); }
} // namespace keel::gate
