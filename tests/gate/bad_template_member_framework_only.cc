// A framework-only member function through a dependent member call.
// expect-rule: no-framework-only
namespace keel::gate {
template <typename S, typename T> auto make(T* p) { return S{}.from_raw(p, 1000000); }
u64 read_far(u64& anchor) { return make<keel::Span<u64>>(&anchor)[999999]; }
} // namespace keel::gate
