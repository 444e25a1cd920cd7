// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-pragmas
#pragma clang diagnostic ignored "-Wunsafe-buffer-usage"
int f(int* p) { return p[1]; }
