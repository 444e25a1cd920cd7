// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-inline-asm
void f() { asm("nop"); }
