// What both transports do on their register windows, written once: the 64 feature bits through
// a 32-bit register and its select register (virtio 1.2, 4.1.4.3 and 4.2.2), 64-bit addresses
// as two 32-bit halves, and device-configuration accesses of a checked width.
#pragma once

#include <keel/io_mem.h>

namespace keel::drivers::virtio::registers {

Result<u64> read_features(const IoMem& window, usize select, usize value);
Result<void> write_features(const IoMem& window, usize select, usize value, u64 features);
Result<void> write_halves(const IoMem& window, usize low, usize high, u64 value);

// One configuration access at offset in a configuration of size bytes that starts at base in
// window: width 1, 2 or 4, aligned to it and inside the configuration, or EINVAL.
Result<u32> read_config(const IoMem& window, usize base, usize size, usize offset, usize width);
Result<void> write_config(const IoMem& window, usize base, usize size, usize offset, usize width,
                          u32 value);

} // namespace keel::drivers::virtio::registers
