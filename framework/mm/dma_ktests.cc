// DMA memory in the kernel: coherent buffers and streams from the frame allocator, and a
// caller's Segment mapped for a transfer and handed back intact.
#include <keel/dma.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>

namespace keel {

KTEST(dma, a_mapped_segment_keeps_its_pages_and_comes_back_whole) {
    Result<Segment> pages = Segment::allocate(2);
    KASSERT(pages.ok());
    Array<u8, 4> pattern{0x6b, 0x65, 0x65, 0x6c};
    KASSERT(pages.value().write(page_size + 8, Span<const u8>(pattern.span())).ok());
    u64 phys = pages.value().phys();

    Result<DmaStream> stream =
        DmaStream::map(DmaSpace::identity(), pages.value(), DmaDirection::to_device);
    KASSERT(stream.ok());
    KEXPECT_EQ(pages.value().pages(), usize{0}); // the stream holds them now
    KEXPECT_EQ(stream.value().device_address(), phys);
    KEXPECT_EQ(stream.value().size(), 2 * page_size);
    Array<u8, 4> seen{};
    KASSERT(stream.value().read(page_size + 8, seen.span()).ok());
    KEXPECT(seen[0] == pattern[0] && seen[3] == pattern[3]);
    KEXPECT_EQ(stream.value().read(2 * page_size - 2, seen.span()).error(), Errno::einval);

    stream.value().sync_for_device();
    stream.value().sync_for_cpu();
    Result<Segment> back = stream.value().unmap();
    KASSERT(back.ok());
    KEXPECT_EQ(back.value().phys(), phys);
    KEXPECT_EQ(back.value().pages(), usize{2});
    KEXPECT_EQ(stream.value().unmap().error(), Errno::einval);
    Array<u8, 4> again{};
    KASSERT(back.value().read(page_size + 8, again.span()).ok());
    KEXPECT(again[1] == pattern[1]);
}

KTEST(dma, pages_beyond_the_devices_reach_are_refused_and_left_with_the_caller) {
    Result<Segment> pages = Segment::allocate(1);
    KASSERT(pages.ok());
    u64 phys = pages.value().phys();
    // A device that reaches nothing at or above this segment.
    Result<DmaStream> stream =
        DmaStream::map(DmaSpace::below(phys), pages.value(), DmaDirection::from_device);
    KEXPECT_EQ(stream.error(), Errno::erange);
    KEXPECT_EQ(pages.value().pages(), usize{1});
    KEXPECT_EQ(pages.value().phys(), phys);
    // A stream with pages of its own has nothing to hand back.
    Result<DmaStream> own = DmaStream::allocate(DmaSpace::identity(), 100, DmaDirection::to_device);
    KASSERT(own.ok());
    KEXPECT_EQ(own.value().unmap().error(), Errno::einval);
    KEXPECT_EQ(own.value().size(), page_size);
}

} // namespace keel
