// A const global RefPtr to a mutable object: shared state without keel::Global.
// expect-rule: no-mutable-globals
namespace keel::gate {
namespace {
struct Counter : keel::RefCounted<Counter> {
    keel::Vector<int> seen;
};
const keel::RefPtr<Counter> counter = keel::make_ref<Counter>().release_value();
} // namespace
keel::Result<void> add(int v) { return counter->seen.push_back(v); }
} // namespace keel::gate
