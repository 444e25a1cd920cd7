// __restrict promises the optimizer two pointers never alias; passing the same object twice is
// undefined behaviour the gate cannot see at the call.
// expect-rule: no-restrict
namespace keel::gate {
int f(int* __restrict a, int* __restrict b) {
    *a = 1;
    *b = 2;
    return *a;
}
int g() {
    int x = 0;
    return f(&x, &x);
}
} // namespace keel::gate
