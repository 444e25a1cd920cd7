// A function-local static is a mutable global shared by every CPU (snippet 12).
// expect-rule: no-static-locals
namespace keel::gate {
int next_id() {
    static int counter = 0;
    return ++counter;
}
} // namespace keel::gate
