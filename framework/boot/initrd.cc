#include <keel/boot_info.h>
#include <keel/initrd.h>

#include <arch/memory.h>

namespace keel::initrd {

Bytes contents() {
    const Optional<PhysRange>& range = boot_info().initrd;
    if (!range || range->size == 0) {
        return {};
    }
    // SAFETY: the memory map keeps the initrd's pages out of the allocator (MemoryKind::Initrd),
    // and the linear map covers all RAM, so these bytes stay mapped and unchanged for the
    // kernel's life.
    return Bytes::from_raw(reinterpret_cast<const u8*>(arch::phys_to_virt(range->base)),
                           static_cast<usize>(range->size));
}

} // namespace keel::initrd
