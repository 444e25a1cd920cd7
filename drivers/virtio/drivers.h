// The virtio device drivers: bind_all (drivers/bind.cc) hands each a transport whose device id
// matched. Each driver keeps what it bound alive in its own registry; on error the device is
// marked FAILED and dropped.
#pragma once

#include <keel/box.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/span.h>

#include "drivers/virtio/transport.h"

namespace keel::drivers::virtio {

Result<void> bind_block(Box<Transport> transport);
Result<void> bind_entropy(Box<Transport> transport);
Result<void> bind_console(Box<Transport> transport);

// For the ktests: interrupts taken so far by the virtio disk of that name.
Optional<u64> block_interrupt_count(StringView disk);

} // namespace keel::drivers::virtio

namespace keel::drivers {

// The first virtio-rng device: whether one is bound, and bytes straight from it (what it
// returned, at most out.size(); EIO when the device failed, ENODEV without one).
bool virtio_rng_present();
Result<usize> virtio_rng_read(Span<u8> out);

// The first virtio console's port 0: whether one is bound, writing (all of bytes, or an error),
// and reading what has arrived so far (none waiting: 0).
bool virtio_console_present();
Result<void> virtio_console_write(Span<const u8> bytes);
usize virtio_console_read(Span<u8> out);

} // namespace keel::drivers
