// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-mutable-globals
int counter = 0;
void f() { ++counter; }
