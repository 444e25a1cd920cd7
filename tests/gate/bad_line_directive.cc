// A line directive makes the code look as if written in the framework's headers.
// expect-rule: no-line-directives
#line 1 "/work/main/framework/include/keel/io_mem.h"
namespace keel {
int forged = 0;
} // namespace keel
