// Frame and Segment (keel/frame.h) over the frame allocator.
#include <keel/frame.h>

#include <keel/ktl/assert.h>

#include "mm/frames.h"

namespace keel {

namespace {
bool in_bounds(usize offset, usize size, usize limit) {
    return offset <= limit && size <= limit - offset;
}

void copy_bytes(Span<u8> to, Span<const u8> from) {
    for (usize i = 0; i < from.size(); ++i) {
        to[i] = from[i];
    }
}
} // namespace

Result<Frame> Frame::allocate() {
    u64 pfn = TRY(mm::allocate_page());
    mm::zero_pages(pfn, 1);
    return Frame(pfn);
}

Frame::Frame(const Frame& other) : pfn_(other.pfn_) {
    if (pfn_ != invalid) {
        mm::get_page(pfn_);
    }
}

Frame& Frame::operator=(const Frame& other) {
    if (this != &other) {
        Frame copy(other);
        swap(pfn_, copy.pfn_);
    }
    return *this;
}

Frame& Frame::operator=(Frame&& other) noexcept {
    if (this != &other) {
        if (pfn_ != invalid) {
            mm::put_page(pfn_);
        }
        pfn_ = other.pfn_;
        other.pfn_ = invalid;
    }
    return *this;
}

Frame::~Frame() {
    if (pfn_ != invalid) {
        mm::put_page(pfn_);
    }
}

u64 Frame::phys() const {
    KEEL_ASSERT(pfn_ != invalid);
    return mm::phys_of(pfn_);
}

u32 Frame::ref_count() const { return pfn_ == invalid ? 0 : mm::page_ref_count(pfn_); }

Result<void> Frame::read(usize offset, Span<u8> out) const {
    if (pfn_ == invalid || !in_bounds(offset, out.size(), page_size)) {
        return Errno::einval;
    }
    copy_bytes(out, mm::page_bytes(pfn_).subspan(offset, out.size()));
    return {};
}

Result<void> Frame::write(usize offset, Span<const u8> in) {
    if (pfn_ == invalid || !in_bounds(offset, in.size(), page_size)) {
        return Errno::einval;
    }
    copy_bytes(mm::page_bytes(pfn_).subspan(offset, in.size()), in);
    return {};
}

void Frame::zero() {
    KEEL_ASSERT(pfn_ != invalid);
    mm::zero_pages(pfn_, 1);
}

void Frame::copy_from(const Frame& source) {
    KEEL_ASSERT(pfn_ != invalid && source.pfn_ != invalid);
    copy_bytes(mm::page_bytes(pfn_), mm::page_bytes(source.pfn_));
}

Result<Segment> Segment::allocate(usize pages) {
    if (pages == 0) {
        return Errno::einval;
    }
    u64 pfn = TRY(mm::allocate_pages(pages));
    mm::zero_pages(pfn, pages);
    return Segment(pfn, pages);
}

Segment& Segment::operator=(Segment&& other) noexcept {
    if (this != &other) {
        Segment old(move(*this));
        pfn_ = other.pfn_;
        pages_ = other.pages_;
        other.pages_ = 0;
    }
    return *this;
}

Segment::~Segment() {
    // Each page carries its own count: pages still shared (mapped, or held as Frames) stay.
    for (usize i = 0; i < pages_; ++i) {
        mm::put_page(pfn_ + i);
    }
}

u64 Segment::phys() const { return mm::phys_of(pfn_); }

Result<Frame> Segment::frame(usize index) const {
    if (index >= pages_) {
        return Errno::einval;
    }
    mm::get_page(pfn_ + index);
    return Frame(pfn_ + index);
}

Result<void> Segment::read(usize offset, Span<u8> out) const {
    if (pages_ == 0 || !in_bounds(offset, out.size(), size())) {
        return Errno::einval;
    }
    copy_bytes(out, mm::page_bytes(pfn_, pages_).subspan(offset, out.size()));
    return {};
}

Result<void> Segment::write(usize offset, Span<const u8> in) {
    if (pages_ == 0 || !in_bounds(offset, in.size(), size())) {
        return Errno::einval;
    }
    copy_bytes(mm::page_bytes(pfn_, pages_).subspan(offset, in.size()), in);
    return {};
}

void Segment::zero() {
    if (pages_ > 0) {
        mm::zero_pages(pfn_, pages_);
    }
}

} // namespace keel
