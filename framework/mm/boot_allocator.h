// The boot allocator: hands out pages of usable RAM before the frame allocator exists (Linux's
// memblock, reduced to bump allocation). It serves the frame table and the kernel's first page
// tables, only from memory the boot linear map reaches; what it handed out stays reserved
// forever, the rest goes to the buddy allocator once the frame table is up.
#pragma once

#include <keel/boot_info.h>
#include <keel/ktl/result.h>

namespace keel::mm {

class BootAllocator {
public:
    // The usable regions of the memory map, clipped to [0, reach) (the boot linear map).
    void init(const BootInfo& info, u64 reach);

    // pages contiguous zeroed pages, page aligned; ENOMEM when no region has them.
    Result<u64> allocate(u64 pages);

    // Bytes handed out so far (for the boot report).
    u64 used_bytes() const { return used_; }

    // Calls fn(base, size) for every usable region's part that was not handed out.
    template <typename Fn>
    void for_each_unused(const BootInfo& info, Fn&& fn) const {
        for (const MemoryRegion& r : info.memory) {
            if (r.kind != MemoryKind::Usable) {
                continue;
            }
            u64 start = r.base;
            for (const Cursor& c : cursors_) {
                if (c.region_base == r.base) {
                    start = c.next;
                }
            }
            if (start < r.end()) {
                fn(start, r.end() - start);
            }
        }
    }

private:
    struct Cursor {
        u64 region_base = 0;
        u64 next = 0; // first page not handed out
        u64 end = 0;  // clipped to reach
    };
    FixedVector<Cursor, BootInfo::max_regions> cursors_;
    u64 used_ = 0;
};

} // namespace keel::mm
