// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-builtins
unsigned long bump(unsigned long& counter) { return __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); }
