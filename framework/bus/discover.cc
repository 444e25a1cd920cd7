// Device discovery at boot (bus/bus.h).
#include "bus/bus.h"

namespace keel::bus {

void discover_devices() { discover_platform_devices(); }

} // namespace keel::bus
