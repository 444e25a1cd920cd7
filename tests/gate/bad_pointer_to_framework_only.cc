// Taking the address of a framework-only factory instead of calling it by name.
// expect-rule: no-framework-only
#include <keel/irq.h>
namespace keel::gate {
auto grab_later() { return &IrqLine::acquire_shared; }
} // namespace keel::gate
