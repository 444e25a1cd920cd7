// Placement new over aligned raw storage (snippet 16).
// expect-rule: no-placement-new
#include <keel/ktl/types.h>
namespace keel::gate {
struct Big { u64 words[4]; };
u64 forge() {
    alignas(Big) u8 storage[sizeof(Big)] = {};
    Big* big = new (storage) Big{};
    return big->words[0];
}
} // namespace keel::gate
