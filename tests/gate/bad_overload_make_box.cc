// An overload of make_box in one's own namespace that adopts a pointer (variant of snippet 6):
// Box has no constructor from a pointer, for anyone, so there is nothing to reach.
// expect-rule: no matching (constructor for initialization of|conversion for functional-style cast).*Box<
#include <keel/box.h>
namespace keel::gate {
struct Mine {};
template <typename T>
Result<Box<T>> make_box(T& object) {
    return Box<T>(&object);
}
Result<Box<Mine>> adopt(Mine& on_stack) { return make_box(on_stack); }
} // namespace keel::gate
