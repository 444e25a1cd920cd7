// volatile reached through a typedef (the type, not the word, is checked).
// expect-rule: no-volatile
namespace keel::gate {
typedef __typeof__(static_cast<int>(0)) Int;
using Reg = Int volatile;
int read(Reg& r) { return r; }
} // namespace keel::gate
