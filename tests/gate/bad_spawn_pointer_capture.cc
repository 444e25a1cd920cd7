// The same with a pointer to the frame copied into the task.
// expect-rule: no-reference-capture
#include <keel/task.h>
namespace keel::gate {
Result<void> start() {
    int progress = 0;
    TRY(spawn_on(0, "worker", [p = &progress] { ++*p; }));
    return {};
}
} // namespace keel::gate
