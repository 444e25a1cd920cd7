// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: avoid-non-const-global-variables
int counter = 0;
void f() { ++counter; }
