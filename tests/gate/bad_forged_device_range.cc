// A device address made from a number (snippet 17's `DmaRange{any, 4096}`): DeviceRange is no
// aggregate and has no constructor a driver can call with integers, so a chain can only name
// memory of the driver's own buffers.
// expect-rule: no matching constructor for initialization of 'DeviceRange'
#include <keel/dma.h>
namespace keel::gate {
DeviceRange forge() { return DeviceRange{u64{0x1000}, usize{4096}}; }
} // namespace keel::gate
