// The backend of keel/dma.h: zeroed runs of whole pages a device can reach, and the fences.
// framework/mm/dma_pages.cc in the kernel, framework/host/dma_pages.cc for host tests.
#pragma once

#include <keel/dma.h>

namespace keel::dma {

struct Pages {
    uptr cpu = 0;           // the CPU's view
    u64 phys = 0;           // what free_pages takes back
    u64 device_address = 0; // the device's view, inside the DmaSpace
    usize size = 0;         // whole pages
};

// EINVAL for size 0; ENOMEM when no contiguous run the device can reach is free.
Result<Pages> allocate_pages(const DmaSpace& space, usize size);
void free_pages(u64 phys, usize size);

} // namespace keel::dma
