// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-raw-allocation
struct S { int x; };
S* f(void* where) { return new (where) S{1}; }
int g() { S* s = new S{1}; return s->x; }
