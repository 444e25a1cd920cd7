// DMA pages on the host (see dma_host.h): page-aligned host allocations, each recorded with its
// device address so that fake devices can check every access.
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "address.h"
#include "dma_pages.h"
#include "host/dma_host.h"

namespace keel {

namespace {
struct Live {
    uptr cpu;
    usize size;
};
std::mutex live_lock;
std::map<u64, Live>& live() {
    static std::map<u64, Live> allocations; // device address -> allocation
    return allocations;
}
} // namespace

namespace dma {

void write_fence() { __atomic_thread_fence(__ATOMIC_RELEASE); }
void read_fence() { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
void full_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

Result<Pages> allocate_pages(const DmaSpace& space, usize size) {
    if (size == 0) {
        return Errno::einval;
    }
    usize bytes = (size + page_size - 1) / page_size * page_size;
    void* memory = std::aligned_alloc(page_size, bytes);
    if (memory == nullptr) {
        return Errno::enomem;
    }
    std::memset(memory, 0, bytes);
    uptr cpu = address_of(memory);
    u64 device = cpu + space.offset;
    if (device > space.limit || space.limit - device < bytes) {
        std::free(memory);
        return Errno::enomem;
    }
    std::lock_guard<std::mutex> guard(live_lock);
    live()[device] = Live{cpu, bytes};
    return Pages{cpu, cpu, device, bytes};
}

void free_pages(u64 phys, usize size) {
    {
        std::lock_guard<std::mutex> guard(live_lock);
        for (auto it = live().begin(); it != live().end(); ++it) {
            if (it->second.cpu == phys) {
                live().erase(it);
                break;
            }
        }
    }
    // SAFETY: on the host a buffer's phys is the pointer aligned_alloc returned (allocate_pages),
    // and its owner hands it back exactly once (DmaCoherent's destructor, DmaStream's).
    std::free(reinterpret_cast<void*>(phys));
}

} // namespace dma

namespace host {

Optional<Span<u8>> dma_memory(u64 device_address, usize size) {
    std::lock_guard<std::mutex> guard(live_lock);
    auto it = live().upper_bound(device_address);
    if (it == live().begin()) {
        return none;
    }
    --it;
    u64 offset = device_address - it->first;
    if (offset > it->second.size || size > it->second.size - offset) {
        return none;
    }
    // SAFETY: [cpu + offset, + size) lies inside a live aligned_alloc block (checked above),
    // which stays allocated until its owner frees it.
    return Span<u8>::from_raw(reinterpret_cast<u8*>(it->second.cpu + offset), size);
}

usize live_dma_allocations() {
    std::lock_guard<std::mutex> guard(live_lock);
    return live().size();
}

} // namespace host

} // namespace keel
