// `used` and `naked` (variants of snippet 15).
// expect-rule: no-attributes
namespace keel::gate {
[[gnu::used]] constexpr int kept = 1;
[[gnu::naked]] void bare() {}
} // namespace keel::gate
