// Redefining a keyword as a macro changes what the rules see.
// expect-rule: no-macro-shadowing
#define private public
namespace keel::gate {
int x = 0;
} // namespace keel::gate
