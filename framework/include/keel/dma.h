// DMA memory as safe handles. A driver never sees a physical address or a pointer: it gets
// buffers that know their *device* address (what the device is told to use) and bounds-checked
// accessors for the CPU side. How device addresses relate to physical ones is the device's
// DmaSpace, made by the bus code from firmware facts (the device tree's `dma-ranges`, an IOMMU
// one day); on the QEMU machines Keel runs on there is no IOMMU and the translation is the
// identity, but nothing here assumes it.
//
//   DmaCoherent: memory the CPU and the device share for its whole life (virtqueue rings,
//                command blocks). Ring fields are read and written with single accesses of
//                their width; dma_*_fence order them against the device.
//   DmaStream:   streaming memory for one transfer at a time (a block request's data): pages of
//                its own (allocate) or the caller's (map: a Segment, e.g. a page-cache page,
//                handed to the device and back with unmap). The CPU fills it,
//                sync_for_device() hands it over; after the device is done, sync_for_cpu()
//                hands it back before the CPU reads.
//
// Only cache-coherent DMA is supported (x86; the `dma-coherent` buses of the QEMU virt
// machines): the syncs order memory but do no cache maintenance.
#pragma once

#include <keel/frame.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/page.h>

namespace keel {

// How one device reaches memory: device address = physical address + offset, and the device
// can only reach device addresses below limit (its DMA mask). Allocation fails with ENOMEM
// rather than hand out memory the device cannot reach.
struct DmaSpace {
    u64 offset = 0;
    u64 limit = ~u64{0}; // exclusive; ~0 for a 64-bit device
    static constexpr DmaSpace identity() { return {}; }
    static constexpr DmaSpace below(u64 limit) { return {0, limit}; }
};

enum class DmaDirection : u8 { to_device, from_device, bidirectional };

// Ordering of CPU accesses to DMA memory against the device (Linux's dma_wmb/dma_rmb/mb):
// write: earlier stores are seen by the device before later ones (fill a descriptor, then
// publish its index); read: a later load does not pass an earlier one (read the used index,
// then the entry); full: also a store before a later load (publish, then check whether the
// device wants a notification).
namespace dma {
void write_fence();
void read_fence();
void full_fence();
} // namespace dma

class DmaCoherent {
public:
    // At least size bytes (whole pages), zeroed. EINVAL for 0; ENOMEM when no contiguous run
    // the device can reach is free.
    static Result<DmaCoherent> allocate(const DmaSpace& space, usize size);

    DmaCoherent(DmaCoherent&& other) noexcept;
    DmaCoherent& operator=(DmaCoherent&& other) noexcept;
    DmaCoherent(const DmaCoherent&) = delete;
    DmaCoherent& operator=(const DmaCoherent&) = delete;
    ~DmaCoherent();

    u64 device_address() const { return device_address_; }
    usize size() const { return size_; }

    // Single accesses of 1, 2, 4 or 8 bytes at naturally aligned offsets (EINVAL outside the
    // buffer or misaligned): what the device may change at any time is read once, as one value.
    template <Integral T>
    Result<T> load(usize offset) const {
        static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
        return static_cast<T>(TRY(load_width(offset, sizeof(T))));
    }
    template <Integral T>
    Result<void> store(usize offset, T value) {
        static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
        return store_width(offset, sizeof(T), static_cast<u64>(value));
    }
    // Byte copies (EINVAL when the range leaves the buffer).
    Result<void> read(usize offset, Span<u8> out) const;
    Result<void> write(usize offset, Span<const u8> in);
    void zero();

private:
    friend struct DmaAccess; // the host tests' fake devices
    DmaCoherent(uptr cpu, u64 phys, u64 device_address, usize size)
        : cpu_(cpu), phys_(phys), device_address_(device_address), size_(size) {}
    Result<u64> load_width(usize offset, usize width) const;
    Result<void> store_width(usize offset, usize width, u64 value);

    uptr cpu_ = 0; // the framework's own view of the pages
    u64 phys_ = 0;
    u64 device_address_ = 0;
    usize size_ = 0;
};

class DmaStream {
public:
    // At least size bytes (whole pages), zeroed, for transfers in direction.
    static Result<DmaStream> allocate(const DmaSpace& space, usize size, DmaDirection direction);
    // The caller's pages, for transfers in direction: the stream holds them (the device may be
    // using them) until unmap gives them back. ERANGE when the device cannot reach them (no
    // bounce buffers yet), with the pages handed back unchanged in `pages`.
    static Result<DmaStream> map(const DmaSpace& space, Segment& pages, DmaDirection direction);
    // The mapped pages, back to the caller (after sync_for_cpu); EINVAL for a stream that
    // allocated its own. The stream is empty afterwards.
    Result<Segment> unmap();

    DmaStream(DmaStream&& other) noexcept;
    DmaStream& operator=(DmaStream&& other) noexcept;
    DmaStream(const DmaStream&) = delete;
    DmaStream& operator=(const DmaStream&) = delete;
    ~DmaStream();

    u64 device_address() const { return device_address_; }
    usize size() const { return size_; }
    DmaDirection direction() const { return direction_; }

    // The device owns the buffer from sync_for_device until sync_for_cpu.
    void sync_for_device();
    void sync_for_cpu();

    Result<void> read(usize offset, Span<u8> out) const;
    Result<void> write(usize offset, Span<const u8> in);

private:
    friend struct DmaAccess;
    DmaStream(uptr cpu, u64 phys, u64 device_address, usize size, DmaDirection direction,
              bool mapped = false)
        : cpu_(cpu), phys_(phys), device_address_(device_address), size_(size),
          direction_(direction), mapped_(mapped) {}

    uptr cpu_ = 0;
    u64 phys_ = 0;
    u64 device_address_ = 0;
    usize size_ = 0;
    DmaDirection direction_ = DmaDirection::bidirectional;
    bool mapped_ = false; // the pages are a caller's Segment (its references, dropped alike)
};

} // namespace keel
