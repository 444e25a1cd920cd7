// detail::HeapBlock's factory (keel/box.h): the only maker of the memory Box and RefPtr are built
// in, over whichever heap the build has (framework/mm/heap.cc, framework/host/runtime.cc).
#include <keel/box.h>

#include "private/framework_key.h"

namespace keel::detail {

HeapBlock::HeapBlock(FrameworkKey, void* memory, usize size, usize align)
    : memory_(memory), size_(size), align_(align) {}

Result<HeapBlock> HeapBlock::allocate(usize size, usize align) {
    void* memory = TRY(heap_allocate(size, align));
    return HeapBlock(FrameworkKey{}, memory, size, align);
}

} // namespace keel::detail
