// A const global Box: the handle is const, what it owns is not. Every CPU mutates the same
// Vector without a lock (push_back on two CPUs frees storage the other still writes).
// expect-rule: no-mutable-globals
namespace keel::gate {
namespace {
const keel::Box<keel::Vector<int>> shared = keel::make_box<keel::Vector<int>>().release_value();
} // namespace
keel::Result<void> add(int v) { return shared->push_back(v); }
} // namespace keel::gate
