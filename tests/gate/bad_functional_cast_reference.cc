// A C cast to a reference type (variant of snippet 4).
// expect-rule: no-c-style-cast
namespace keel::gate {
u64 pun(u32& word) { return (u64&)word; }
} // namespace keel::gate
