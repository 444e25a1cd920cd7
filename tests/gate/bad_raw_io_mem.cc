// A driver file mapping a device window by physical address; the gate must reject it: windows
// come from the device handles the framework gives out.
// expect-rule: no-framework-only
#include <keel/io_mem.h>
keel::Result<keel::IoMem> grab() { return keel::IoMem::acquire(0xfee00000, 4096); }
