// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: pro-bounds-pointer-arithmetic|unsafe-buffer-usage
int f(int* p) { return *(p + 1); }
