// Declaring a framework "Access" friend oneself to reach a handle's private constructor (snippet 5).
// expect-rule: no-foreign-namespace
#include <keel/io_mem.h>
namespace keel {
struct IoMemAccess {
    static int forge() { return 0; }
};
} // namespace keel
