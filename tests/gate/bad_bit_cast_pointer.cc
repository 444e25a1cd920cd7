// Forging a pointer from a number with the bit-cast builtin (issue 14, snippet 1).
// expect-rule: no-bit-cast
namespace keel::gate {
u64 peek(u64 address) { return *__builtin_bit_cast(const u64*, address); }
} // namespace keel::gate
