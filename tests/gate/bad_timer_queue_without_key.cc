// Relinking a Timer's queue from a services file (what a forged `friend struct TimerQueue` would
// have reached): the bookkeeping accessors take a FrameworkKey, whatever the key is spelled as.
// expect-rule: argument type 'FrameworkKey' is incomplete|incomplete type 'FrameworkKey'
#include <keel/timer.h>
namespace keel::gate {
using Key = FrameworkKey;
void unlink(Timer& t, Key& key) { t.next(key) = nullptr; }
} // namespace keel::gate
