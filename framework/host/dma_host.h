// The host backend of keel/dma.h, for GoogleTest: DMA pages come from the host heap and their
// device address is their host address (plus the DmaSpace's offset). A fake device in a test
// reaches driver memory only through dma_memory, which refuses any range that is not inside one
// live DMA allocation, so a driver that hands a device a bad address fails the test.
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/span.h>

namespace keel::host {

Optional<Span<u8>> dma_memory(u64 device_address, usize size);
usize live_dma_allocations();

} // namespace keel::host
