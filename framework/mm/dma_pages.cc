// DMA pages in the kernel: contiguous runs of the frame allocator, seen by the CPU through the
// linear map. Coherent DMA only: the fences order memory, no cache maintenance is done.
#include <arch/barrier.h>
#include <arch/memory.h>

#include "dma_pages.h"
#include "mm/frame_access.h"
#include "mm/frames.h"

namespace keel {

namespace dma {

void write_fence() { arch::dma_write_fence(); }
void read_fence() { arch::dma_read_fence(); }
void full_fence() { arch::dma_full_fence(); }

Result<Pages> allocate_pages(const DmaSpace& space, usize size) {
    if (size == 0) {
        return Errno::einval;
    }
    if (size > usize{1} << 30) {
        return Errno::enomem;
    }
    usize pages = (size + page_size - 1) / page_size;
    u64 pfn = TRY(mm::allocate_pages(pages));
    mm::zero_pages(pfn, pages);
    u64 phys = mm::phys_of(pfn);
    u64 bytes = u64{pages} * page_size;
    u64 device = phys + space.offset;
    if (device < phys || device > space.limit || space.limit - device < bytes) {
        free_pages(phys, bytes);
        return Errno::enomem; // beyond the device's reach (there are no DMA zones yet)
    }
    return Pages{arch::phys_to_virt(phys), phys, device, bytes};
}

void free_pages(u64 phys, usize size) {
    for (usize i = 0; i < size / page_size; ++i) {
        mm::put_page(mm::pfn_of(phys) + i);
    }
}

} // namespace dma

// Kernel only: Segments exist only here (the host tests allocate streams).
Result<DmaStream> DmaStream::map(const DmaSpace& space, Segment& pages, DmaDirection direction) {
    if (pages.pages() == 0) {
        return Errno::einval;
    }
    u64 phys = pages.phys();
    u64 bytes = pages.size();
    u64 device = phys + space.offset;
    if (device < phys || device > space.limit || space.limit - device < bytes) {
        return Errno::erange;
    }
    u64 pfn = FrameAccess::release(pages);
    return DmaStream(arch::phys_to_virt(mm::phys_of(pfn)), phys, device, bytes, direction, true);
}

Result<Segment> DmaStream::unmap() {
    if (!mapped_ || size_ == 0) {
        return Errno::einval;
    }
    Segment pages = FrameAccess::adopt(mm::pfn_of(phys_), size_ / page_size);
    size_ = 0;
    mapped_ = false;
    return pages;
}

} // namespace keel
