// The initial ramdisk the bootloader loaded (PVH module, multiboot2 module, or the device tree's
// linux,initrd-start/end), as read-only bytes: services unpack it into the root filesystem.
#pragma once

#include <keel/ktl/span.h>

namespace keel::initrd {

// Its contents; empty when the bootloader gave none.
Bytes contents();

} // namespace keel::initrd
