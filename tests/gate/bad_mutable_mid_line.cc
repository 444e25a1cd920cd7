// `mutable` in the middle of a line (snippet 11).
// expect-rule: no-mutable-members
namespace keel::gate {
struct Cache { int hits = 0; mutable int misses = 0; };
} // namespace keel::gate
