// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-private-includes
#include "framework/arch/riscv64/include/arch/cpu.h"
