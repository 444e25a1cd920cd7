// A driver picking the offset the framework adds to a buffer's physical address: the device
// address it then programs would point the device at memory it was never given. DmaSpace is no
// aggregate and its constructor is private (drivers take dma_space() from their device), and
// device addresses are opaque DeviceRanges, never a u64.
// expect-rule: constructor of class .keel::DmaSpace.|no matching constructor for initialization of .keel::DmaSpace.
#include <keel/dma.h>
namespace keel::gate {
keel::Result<keel::u64> aim_elsewhere() {
    keel::DmaCoherent buffer =
        TRY(keel::DmaCoherent::allocate(keel::DmaSpace{0x100000, ~keel::u64{0}}, 4096));
    return buffer.device_address();
}
} // namespace keel::gate
