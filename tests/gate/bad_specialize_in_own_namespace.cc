// Specializing a framework class template for one's own type (variant of snippet 6): the
// specialization is written here, so it would be the framework's type with the file's members.
// expect-rule: no-framework-specialization
#include <keel/ktl/optional.h>
namespace keel::gate {
struct Mine {};
} // namespace keel::gate
template <>
class keel::Optional<keel::gate::Mine> {
public:
    int forged = 0;
};
