// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-volatile
int f(volatile int* p) { return *p; }
