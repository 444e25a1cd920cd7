// A reference to an element of a temporary Vector, used after the vector is gone.
// Vector::operator[] is [[clang::lifetimebound]].
// expect-rule: Wdangling
#include <keel/ktl/vector.h>

namespace keel::gate {

Vector<u64> make_numbers();

u64 dangling_element() {
    const u64& first = make_numbers()[0];
    return first;
}

} // namespace keel::gate
