// A number becomes a pointer through a C cast from an integer type alias.
// expect-rule: no-pointer-integer-cast|no-reinterpret-cast|no-c-style-cast
namespace keel::gate {
using Address = u64;
u64* forge(Address a) { return (u64*)a; }
} // namespace keel::gate
