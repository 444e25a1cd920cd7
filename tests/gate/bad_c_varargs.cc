// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-c-varargs
int f(int n, ...) { return n; }
