// An extern declaration of a variable the framework defines (variant of snippet 13).
// expect-rule: no-extern
namespace keel::gate {
extern int framework_secret;
int read_secret() { return framework_secret; }
} // namespace keel::gate
