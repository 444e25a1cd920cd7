// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-reinterpret-cast
unsigned long f(int* p) { return reinterpret_cast<unsigned long>(p); }
