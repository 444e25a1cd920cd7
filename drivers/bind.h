// Binding drivers to the devices the framework found: every unclaimed platform device and PCI
// function is matched by identity against the drivers' tables; matches are claimed, given a
// transport and handed to their driver, which keeps them for good.
#pragma once

namespace keel::drivers {

// Called once at boot, before anything uses a device. Logs one line per bound device; a device
// whose driver fails is logged and left alone.
void bind_all();

} // namespace keel::drivers
