// A framework-only factory reached through a dependent name: T::from_raw in a template.
// expect-rule: no-framework-only
namespace keel::gate {
template <typename S> S make(u64& anchor) { return S::from_raw(&anchor, 1000000); }
u64 read_far(u64& anchor) { return make<keel::Span<u64>>(anchor)[999999]; }
} // namespace keel::gate
