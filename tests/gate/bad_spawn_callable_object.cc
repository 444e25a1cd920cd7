// spawn with a callable object (not a lambda) that holds a pointer to the caller's frame.
// expect-rule: no-reference-capture
namespace keel::gate {
struct Writer {
    int* target;
    void operator()() const { *target = 1; }
};
keel::Result<void> start() {
    int local = 0;
    TRY(keel::spawn("w", Writer{&local}));
    return {};
}
} // namespace keel::gate
