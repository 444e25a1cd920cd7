// Calling a key-taking member of a handle without the key (snippet 5's goal without a friend):
// IoMem's window constructor needs a FrameworkKey, an incomplete type outside the framework.
// expect-rule: incomplete type 'FrameworkKey'
#include <keel/io_mem.h>
namespace keel::gate {
IoMem forge() { return IoMem(FrameworkKey{}, 0xffff'8000'0000'0000, 0, 4096, 0, false); }
} // namespace keel::gate
