// A driver file taking an interrupt line by a made-up specifier; the gate must reject it:
// interrupts come from the device handles the framework gives out.
// expect-rule: no-framework-only
#include <keel/irq.h>
keel::Result<keel::IrqLine> grab() { return keel::IrqLine::acquire(keel::IrqSource{}); }
