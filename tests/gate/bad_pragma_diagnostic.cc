// Switching a warning off from inside the file (the pragmas family).
// expect-rule: no-pragmas
namespace keel::gate {
_Pragma("clang diagnostic ignored \"-Wunsafe-buffer-usage\"")
int first(int* p) { return p[0]; }
} // namespace keel::gate
