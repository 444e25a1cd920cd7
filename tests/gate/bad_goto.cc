// goto can jump over initialization.
// expect-rule: no-goto
namespace keel::gate {
int f(int x) {
    if (x) goto out;
    x = 2;
out:
    return x;
}
} // namespace keel::gate
