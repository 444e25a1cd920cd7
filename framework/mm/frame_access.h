// The framework's own access to Frame and Segment internals: page numbers for mapping code,
// and handing a Segment's page references to another owner (a DMA mapping) and back.
// Private to framework/.
#pragma once

#include <keel/frame.h>

#include "mm/frames.h"

namespace keel {

struct FrameAccess {
    static u64 pfn(const Frame& f) { return f.pfn_; }
    static u64 pfn(const Segment& s) { return s.pfn_; }
    // A new handle on a page the caller knows is in use (mapped), so the count is already > 0.
    static Frame share(u64 pfn) {
        mm::get_page(pfn);
        return Frame(pfn);
    }
    // The segment's references, now the caller's to drop (mm::put_page per page) or adopt.
    static u64 release(Segment& s) {
        s.pages_ = 0;
        return s.pfn_;
    }
    static Segment adopt(u64 pfn, usize pages) { return Segment(pfn, pages); }
};

} // namespace keel
