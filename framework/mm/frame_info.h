// PageInfo: the framework's record of one physical page (Linux's struct page, in 16 bytes). Every
// page of usable RAM has one, in the frame table built at boot; the buddy allocator, the frame
// handles and the slab heap all keep their state here, never in the page itself.
#pragma once

#include <keel/ktl/types.h>

namespace keel::mm {

enum class PageState : u8 {
    reserved,  // not managed: frame table, boot allocations that never return
    free,      // the first page of a free buddy block of `order`
    free_tail, // inside a free buddy block
    cached,    // a free page held in a per-CPU cache (not on the buddy lists)
    allocated, // owned by Frame/Segment handles or a page table; `count` references
    slab,      // a slab of the kernel heap; `order` is its size class, `count` objects in use
    large,     // the first page of a large heap allocation of 2^order pages
};

inline constexpr u32 no_page = 0xffff'ffff;

struct PageInfo {
    u32 next = no_page; // free list or slab list links: page indices within the section
    u32 prev = no_page;
    u32 count = 0; // references (allocated) or objects in use (slab); atomic where shared
    u8 order = 0;
    PageState state = PageState::reserved;
    u16 aux = 0; // slab: offset of the first free object, 0xffff when full
};
static_assert(sizeof(PageInfo) == 16);

} // namespace keel::mm
