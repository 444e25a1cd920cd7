// The kernel heap: size-class slab caches over single pages (16 to 2048 bytes), and runs of whole
// pages for anything larger. Slab state lives in the page's PageInfo (state slab, `order` the
// size class, `count` objects in use, `aux` the first free object), free objects link through
// their first two bytes. With KEEL_DEBUG_CHECKS, freed objects are poisoned and checked on reuse,
// and double or foreign frees panic: they mean a kernel bug, not bad input.
#pragma once

#include <keel/ktl/result.h>

namespace keel::mm {

struct HeapStats {
    u64 slab_pages = 0;
    u64 large_pages = 0;
    u64 objects_in_use = 0;
};
HeapStats heap_stats();

} // namespace keel::mm
