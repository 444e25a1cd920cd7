// Specializing RefPtr for one's own type to use its friendship with every RefCounted<U> and drop
// a count it does not hold (the one grant left in keel/box.h): C++ allows the specialization,
// the gate rejects it.
// expect-rule: no-framework-specialization|no-foreign-namespace
#include <keel/box.h>
namespace keel::gate {
struct Mine {};
struct Shared : RefCounted<Shared> {};
} // namespace keel::gate
template <>
class keel::RefPtr<keel::gate::Mine> {
public:
    static void drop(const keel::gate::Shared& s) { (void)s.drop_ref(); }
};
