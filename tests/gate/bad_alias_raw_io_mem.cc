// Reaching a framework-only factory through a type alias (snippet 8).
// expect-rule: no-framework-only
#include <keel/io_mem.h>
namespace keel::gate {
using Window = IoMem;
Result<Window> grab() { return Window::acquire(0xfee00000, 4096); }
} // namespace keel::gate
