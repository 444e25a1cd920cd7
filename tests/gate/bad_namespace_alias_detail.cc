// Naming keel::detail through a namespace alias (snippet 9).
// expect-rule: no-framework-detail
namespace keel::gate {
namespace h = keel::detail;
auto grab() { return h::heap_allocate(64, 8); }
} // namespace keel::gate
