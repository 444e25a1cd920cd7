// Specializing a framework template to reach Box's raw constructor (snippet 6).
// expect-rule: no-framework-specialization|no-foreign-namespace
#include <keel/box.h>
namespace keel::gate {
struct Mine {};
} // namespace keel::gate
template <>
keel::Result<keel::Box<keel::gate::Mine>> keel::make_box<keel::gate::Mine>() {
    return keel::Errno::enomem;
}
