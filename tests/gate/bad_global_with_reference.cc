// Letting a Global's T& escape its lock (snippet 18): Global::with refuses a callback that
// returns a reference, pointer or view of the value.
// expect-rule: Global::with: the callback returns a reference, pointer or view
#include <keel/global.h>
namespace keel::gate {
KEEL_GLOBAL(u64, counter);
void race() {
    u64& escaped = counter.with([](u64& value) -> u64& { return value; });
    escaped = 1;
}
} // namespace keel::gate
