// Explicit instantiation may name private members; with a member pointer it reads them (snippet 7).
// expect-rule: no-explicit-instantiation|no-private-access
#include <keel/ktl/vector.h>
namespace keel::gate {
template <typename Tag, typename Tag::type member>
struct Rob {
    friend typename Tag::type get(Tag) { return member; }
};
struct VectorSize {
    using type = usize Vector<u8>::*;
    friend type get(VectorSize);
};
template struct Rob<VectorSize, &Vector<u8>::size_>;
} // namespace keel::gate
