// OPEN (see README.md): A timer in a Global armed with a stack callback: it fires after the frame
// is gone. expect-rule: lifetime
#include <keel/global.h>
namespace keel::gate {
namespace {
KEEL_GLOBAL(keel::Timer, ticker);
struct Beep final : keel::TimerCallback {
    int n = 0;
    void on_timer() override { ++n; }
};
} // namespace
void arm_and_leave() {
    Beep beep;
    (void)ticker.with([&](keel::Timer& t) { return t.arm(1000, beep); });
}
} // namespace keel::gate
