// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: pro-bounds-constant-array-index|unsafe-buffer-usage
int f(int i) { int a[4] = {1, 2, 3, 4}; return a[i]; }
