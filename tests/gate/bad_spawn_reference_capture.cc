// A task writing its spawner's frame after it returned (snippet 21, lifetime).
// expect-rule: no-reference-capture
#include <keel/task.h>
namespace keel::gate {
Result<void> start() {
    int progress = 0;
    TRY(spawn("worker", [&] { ++progress; }));
    return {};
}
} // namespace keel::gate
