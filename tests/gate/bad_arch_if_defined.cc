// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-arch-conditionals
#if defined(__x86_64__) || defined(__aarch64__)
int f() { return 1; }
#endif
