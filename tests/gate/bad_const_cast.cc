// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-const-cast
int* f(const int* p) { return const_cast<int*>(p); }
