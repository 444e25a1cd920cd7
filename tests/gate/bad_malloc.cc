// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-extern|no-raw-allocation
extern "C" void* malloc(unsigned long);
void* f() { return malloc(16); }
