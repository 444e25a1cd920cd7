// Vector types index without bounds checks.
// expect-rule: no-vector-types|no-gnu-attributes
namespace keel::gate {
typedef int Lanes __attribute__((ext_vector_type(4)));
int lane(Lanes v, int i) { return v[i]; }
} // namespace keel::gate
