// Another builtin of the family that moves bytes (variant of snippet 2).
// expect-rule: no-builtins
namespace keel::gate {
void copy(u64& to, const u64& from) { __builtin_memmove(&to, &from, sizeof(u64)); }
} // namespace keel::gate
