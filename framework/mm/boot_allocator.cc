#include "mm/boot_allocator.h"

#include <keel/page.h>

#include <arch/memory.h>

#include <string.h>

namespace keel::mm {

void BootAllocator::init(const BootInfo& info, u64 reach) {
    cursors_.clear();
    for (const MemoryRegion& r : info.memory) {
        // Page 0 stays out: a zero physical address doubles as "none" in places.
        u64 base = max(r.base, page_size);
        if (r.kind == MemoryKind::Usable && base < reach && base < r.end()) {
            (void)cursors_.push({r.base, base, min(r.end(), reach)}); // capacity: max_regions
        }
    }
}

Result<u64> BootAllocator::allocate(u64 pages) {
    u64 bytes = pages * page_size;
    for (Cursor& c : cursors_) {
        if (c.end - c.next >= bytes) {
            u64 phys = c.next;
            c.next += bytes;
            used_ += bytes;
            // SAFETY: [phys, phys + bytes) is usable RAM below the boot linear map's reach,
            // handed out once; nothing else refers to it.
            memset(reinterpret_cast<void*>(arch::phys_to_virt(phys)), 0, bytes);
            return phys;
        }
    }
    return Errno::enomem;
}

} // namespace keel::mm
