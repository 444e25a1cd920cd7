// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-private-includes
#include <arch/cpu.h>
