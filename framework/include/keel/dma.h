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
//
// Device addresses are opaque (DeviceRange): a driver gets them only from its buffers, narrows
// them with checked bounds, and hands them to the device only through the framework
// (DmaCoherent::store_device_address into a descriptor, IoMem::write_device_address into a
// register), never as a number it could have made up. What this checks is the typed path: the
// raw store<u64>/write64 accessors still move any number, so a driver that writes a made-up
// integer where the device expects an address is stopped only by an IOMMU (not yet: the QEMU
// machines run without one). A DeviceRange does not keep its buffer alive either: the driver
// keeps the buffer until the device is done with it (temporal, not checked).
#pragma once

#include <keel/frame.h>
#include <keel/framework_key.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/page.h>

namespace keel {

// How one device reaches memory: device address = physical address + offset, and the device
// can only reach device addresses below limit (its DMA mask). Allocation fails with ENOMEM
// rather than hand out memory the device cannot reach. Not an aggregate, and its factories are
// the framework's (the bus code's firmware facts): a driver that made its own with another
// offset would have its buffers' device addresses point the device at memory it was not given;
// drivers get theirs from their device handle (PciDevice::dma_space, PlatformDevice::dma_space).
class DmaSpace {
public:
    [[clang::annotate("keel::framework_only")]] static constexpr DmaSpace identity() {
        return DmaSpace(0, ~u64{0});
    }
    [[clang::annotate("keel::framework_only")]] static constexpr DmaSpace below(u64 limit) {
        return DmaSpace(0, limit);
    }
    u64 offset() const { return offset_; }
    u64 limit() const { return limit_; } // exclusive; ~0 for a 64-bit device

private:
    constexpr DmaSpace(u64 offset, u64 limit) : offset_(offset), limit_(limit) {}
    u64 offset_;
    u64 limit_;
};

// A range of device addresses inside one DMA buffer: what a driver tells a device to use. Only
// a buffer mints one (device_range(): the whole buffer), sub() narrows it with checked bounds,
// and there is no constructor from a number for drivers, so a driver can only name memory it
// was given. Copyable: a copy names the same memory. An empty range (default-constructed) is
// refused by every call that would tell a device about it.
class DeviceRange {
public:
    constexpr DeviceRange() = default;

    usize size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // [offset, offset + length) of this range: EINVAL when empty or not inside it.
    Result<DeviceRange> sub(usize offset, usize length) const;

    // The framework's own (keel/framework_key.h): a range of a buffer it has just set up for
    // the device, and the first device address, to write where the device reads it.
    DeviceRange(FrameworkKey, u64 address, usize size);
    u64 address(FrameworkKey) const;

private:
    u64 address_ = 0;
    usize size_ = 0;
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

    // The whole buffer, for the device (empty once moved from).
    DeviceRange device_range() const;
    usize size() const { return size_; }

    // The first device address of range into the buffer at offset, as one naturally aligned
    // 8-byte store (a descriptor's address field): EINVAL for an empty range or an offset that
    // is misaligned or outside the buffer.
    Result<void> store_device_address(usize offset, const DeviceRange& range);

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

    DeviceRange device_range() const; // the whole buffer, for the device (empty once moved from)
    usize size() const { return size_; }
    DmaDirection direction() const { return direction_; }

    // The device owns the buffer from sync_for_device until sync_for_cpu.
    void sync_for_device();
    void sync_for_cpu();

    Result<void> read(usize offset, Span<u8> out) const;
    Result<void> write(usize offset, Span<const u8> in);

private:
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
