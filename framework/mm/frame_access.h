// The framework's own access to Frame and Segment internals: page numbers for mapping code,
// and handing a Segment's page references to another owner (a DMA mapping) and back.
// Private to framework/.
#pragma once

#include <keel/frame.h>

#include "mm/frames.h"
#include "private/framework_key.h"

namespace keel {

// Shorthands over the FrameworkKey members of Frame and Segment (no friendship: keel/frame.h).
struct FrameAccess {
    static u64 pfn(const Frame& f) { return f.pfn(FrameworkKey{}); }
    static u64 pfn(const Segment& s) { return s.pfn(FrameworkKey{}); }
    // A new handle on a page the caller knows is in use (mapped), so the count is already > 0.
    static Frame share(u64 pfn) {
        mm::get_page(pfn);
        return Frame(FrameworkKey{}, pfn);
    }
    // The segment's references, now the caller's to drop (mm::put_page per page) or adopt.
    static u64 release(Segment& s) { return s.release(FrameworkKey{}); }
    static Segment adopt(u64 pfn, usize pages) { return Segment(FrameworkKey{}, pfn, pages); }
};

} // namespace keel
