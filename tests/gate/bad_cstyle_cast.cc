// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-c-style-cast
long f(const long* p) { return *(long*)p; }
