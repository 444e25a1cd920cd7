// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-framework-detail
#include <keel/box.h>

int leak_raw_memory() {
    auto memory = keel::detail::heap_allocate(64, 8);
    return memory.ok() ? 1 : 0;
}
