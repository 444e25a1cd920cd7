// Naming keel::detail through a using-directive (variant of snippet 9).
// expect-rule: no-framework-detail
namespace keel::gate {
using namespace keel::detail;
auto grab() { return heap_allocate(64, 8); }
} // namespace keel::gate
