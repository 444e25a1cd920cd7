// Including the framework's own definition of FrameworkKey to make keys (the repository root is
// on the services' include path): only the public API may be included.
// expect-rule: no-private-includes
#include "framework/private/framework_key.h"
#include <keel/io_mem.h>
namespace keel::gate {
IoMem forge() { return IoMem(FrameworkKey{}, 0xffff'8000'0000'0000, 0, 4096, 0, false); }
} // namespace keel::gate
