// OPEN (see README.md): DmaSpace is a public aggregate, so a driver picks the offset the
// framework adds to the buffer's physical address: the device address it then programs points
// the device at memory the driver was never given (and any u64 can be written to a register).
// expect-rule: no-forged-device-address
#include <keel/dma.h>
namespace keel::gate {
keel::Result<keel::u64> aim_elsewhere() {
    keel::DmaCoherent buffer =
        TRY(keel::DmaCoherent::allocate(keel::DmaSpace{0x100000, ~keel::u64{0}}, 4096));
    return buffer.device_address();
}
} // namespace keel::gate
