// The same through the framework's own constructor: it takes a FrameworkKey, which a services
// file cannot make (only declared in the public headers: an incomplete type).
// expect-rule: incomplete type 'FrameworkKey'
#include <keel/dma.h>
namespace keel::gate {
DeviceRange forge() { return DeviceRange(FrameworkKey{}, u64{0x1000}, usize{4096}); }
} // namespace keel::gate
