// A functional cast to a pointer type is a C cast in disguise (snippet 4).
// expect-rule: no-functional-cast
namespace keel::gate {
using P = u64*;
u64 peek(u64 address) { return *P(address); }
} // namespace keel::gate
