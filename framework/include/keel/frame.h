// Physical memory as safe handles. A Frame owns one reference to a 4 KiB page, a Segment to a
// run of physically contiguous pages; the page goes back to the allocator when its last
// reference goes (several handles, and mappings in address spaces, may share a page: that is
// how copy-on-write will share them). Contents are reached only through bounds-checked copies;
// no raw pointer to a page ever leaves the framework. Allocation fails with ENOMEM, never panics,
// and new pages are zeroed so no stale data leaks.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/page.h>

namespace keel {

class Frame {
public:
    static Result<Frame> allocate();

    Frame(const Frame& other);
    Frame& operator=(const Frame& other);
    Frame(Frame&& other) noexcept : pfn_(other.pfn_) { other.pfn_ = invalid; }
    Frame& operator=(Frame&& other) noexcept;
    ~Frame();

    u64 phys() const;
    u32 ref_count() const;

    // Copies between the page and a buffer; EINVAL when [offset, offset + size) leaves the page.
    Result<void> read(usize offset, Span<u8> out) const;
    Result<void> write(usize offset, Span<const u8> in);
    template <Integral T>
    Result<T> read_value(usize offset) const {
        Array<u8, sizeof(T)> bytes{};
        TRY(read(offset, bytes.span()));
        return read_le<T>(Bytes(bytes.span()), 0);
    }
    template <Integral T>
    Result<void> write_value(usize offset, T value) {
        Array<u8, sizeof(T)> bytes{};
        for (usize i = 0; i < sizeof(T); ++i) {
            bytes[i] = static_cast<u8>(static_cast<u64>(value) >> (8 * i));
        }
        return write(offset, Span<const u8>(bytes.span()));
    }
    void zero();
    void copy_from(const Frame& source); // the whole page

private:
    friend class Segment;
    friend struct FrameAccess; // the framework's own mapping code
    static constexpr u64 invalid = ~u64{0};
    explicit Frame(u64 pfn) : pfn_(pfn) {}
    u64 pfn_ = invalid;
};

class Segment {
public:
    // pages physically contiguous zeroed pages; EINVAL for 0, ENOMEM when no run that long is free.
    static Result<Segment> allocate(usize pages);

    Segment(Segment&& other) noexcept : pfn_(other.pfn_), pages_(other.pages_) { other.pages_ = 0; }
    Segment& operator=(Segment&& other) noexcept;
    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;
    ~Segment();

    u64 phys() const;
    usize pages() const { return pages_; }
    usize size() const { return pages_ * page_size; }

    // A Frame sharing page index of the segment; EINVAL past the end.
    Result<Frame> frame(usize index) const;
    Result<void> read(usize offset, Span<u8> out) const;
    Result<void> write(usize offset, Span<const u8> in);
    void zero();

private:
    friend struct FrameAccess;
    Segment(u64 pfn, usize pages) : pfn_(pfn), pages_(pages) {}
    u64 pfn_ = 0;
    usize pages_ = 0;
};

} // namespace keel
