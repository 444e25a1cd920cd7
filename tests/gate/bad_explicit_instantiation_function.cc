// An explicit instantiation declaration of a framework function template (variant of snippet 7).
// expect-rule: no-explicit-instantiation
#include <keel/ktl/utility.h>
namespace keel::gate {
template <typename T>
T identity(T v) { return v; }
} // namespace keel::gate
template int keel::gate::identity<int>(int);
