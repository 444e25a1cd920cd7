// The same family spelled the GNU way: an alias to a framework symbol.
// expect-rule: no-attributes|no-gnu-attributes
namespace keel::gate {
void alias_of_panic() __attribute__((alias("_ZN4keel6detail5panicEv")));
} // namespace keel::gate
