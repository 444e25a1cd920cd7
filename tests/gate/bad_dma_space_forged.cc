// A DMA space of the driver's own (offset 0 where the bus says otherwise) would make its
// buffers' device addresses point the device at memory it was not given: the factories are the
// framework's, and drivers take dma_space() from their device handle.
// expect-rule: no-framework-only
#include <keel/dma.h>
namespace keel::gate {
Result<DmaCoherent> ring() { return DmaCoherent::allocate(DmaSpace::identity(), 4096); }
} // namespace keel::gate
