// spawn with a lambda that captures a Span of a stack array by value: the task writes the
// caller's dead frame (the capture is a copy, but of a view).
// expect-rule: no-reference-capture
namespace keel::gate {
keel::Result<void> start() {
    keel::Array<int, 4> local{};
    TRY(keel::spawn("w", [s = local.span()] { s[0] = 1; }));
    return {};
}
} // namespace keel::gate
