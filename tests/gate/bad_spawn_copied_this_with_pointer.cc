// spawn([*this]) copies the object into the task, but the copy still points into the caller's
// frame: a class holding a pointer is not owned state.
// expect-rule: no-reference-capture
#include <keel/task.h>

namespace keel::gate {

struct Poker {
    u64* target = nullptr;
    Result<void> start() {
        TaskHandle t = TRY(spawn("poker", [*this] { *target = 1; }));
        t.join();
        return {};
    }
};

} // namespace keel::gate
