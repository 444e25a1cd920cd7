// The same through a type alias and a macro of the file's own: the AST sees the cast kind.
// expect-rule: no-bit-cast
namespace keel::gate {
using Word = const u64*;
#define AS_WORD(x) __builtin_bit_cast(Word, x)
u64 peek(u64 address) { return *AS_WORD(address); }
} // namespace keel::gate
