// DMA buffers (keel/dma.h): the accessors and handle moves, the same in the kernel and on the
// host; where the pages come from is dma_pages.h's backend (framework/mm/dma_pages.cc over the
// frame allocator, framework/host/dma_pages.cc over the host heap for GoogleTest).
#include <keel/dma.h>

#include "dma_pages.h"

namespace keel {

namespace {

bool in_range(usize offset, usize count, usize size) {
    return offset <= size && count <= size - offset;
}

Span<u8> bytes_of(uptr cpu, usize size) {
    // SAFETY: [cpu, cpu + size) is the linear-map view of pages this buffer owns until it is
    // freed; the span never outlives the buffer's own call.
    return Span<u8>::from_raw(reinterpret_cast<u8*>(cpu), size);
}

Result<void> copy_out(uptr cpu, usize size, usize offset, Span<u8> out) {
    if (!in_range(offset, out.size(), size)) {
        return Errno::einval;
    }
    Span<u8> from = bytes_of(cpu, size).subspan(offset, out.size());
    for (usize i = 0; i < out.size(); ++i) {
        out[i] = from[i];
    }
    return {};
}

Result<void> copy_in(uptr cpu, usize size, usize offset, Span<const u8> in) {
    if (!in_range(offset, in.size(), size)) {
        return Errno::einval;
    }
    Span<u8> to = bytes_of(cpu, size).subspan(offset, in.size());
    for (usize i = 0; i < in.size(); ++i) {
        to[i] = in[i];
    }
    return {};
}

// The buffer's word of T's width at `at`, for load_width and store_width.
template <typename T>
auto* word_at(uptr at) {
    // SAFETY: callers checked that [at, at + sizeof(T)) lies in the buffer's live pages and is
    // naturally aligned, so it is one access of T's width; volatile because the device writes
    // this memory behind the compiler's back.
    return reinterpret_cast<volatile T*>(at);
}

} // namespace

Result<DmaCoherent> DmaCoherent::allocate(const DmaSpace& space, usize size) {
    dma::Pages p = TRY(dma::allocate_pages(space, size));
    return DmaCoherent(p.cpu, p.phys, p.device_address, p.size);
}

DmaCoherent::DmaCoherent(DmaCoherent&& other) noexcept
    : cpu_(other.cpu_), phys_(other.phys_), device_address_(other.device_address_),
      size_(other.size_) {
    other.size_ = 0;
}

DmaCoherent& DmaCoherent::operator=(DmaCoherent&& other) noexcept {
    if (this != &other) {
        DmaCoherent old(move(*this));
        cpu_ = other.cpu_;
        phys_ = other.phys_;
        device_address_ = other.device_address_;
        size_ = other.size_;
        other.size_ = 0;
    }
    return *this;
}

DmaCoherent::~DmaCoherent() {
    if (size_ != 0) {
        dma::free_pages(phys_, size_);
    }
}

Result<u64> DmaCoherent::load_width(usize offset, usize width) const {
    if (offset % width != 0 || !in_range(offset, width, size_)) {
        return Errno::einval;
    }
    // In the buffer and naturally aligned (checked above), so one access of its width.
    uptr at = cpu_ + offset;
    switch (width) {
    case 1:
        return *word_at<const u8>(at);
    case 2:
        return *word_at<const u16>(at);
    case 4:
        return *word_at<const u32>(at);
    default:
        return u64{*word_at<const u64>(at)};
    }
}

Result<void> DmaCoherent::store_width(usize offset, usize width, u64 value) {
    if (offset % width != 0 || !in_range(offset, width, size_)) {
        return Errno::einval;
    }
    // As in load_width: in the buffer and naturally aligned (checked above).
    uptr at = cpu_ + offset;
    switch (width) {
    case 1:
        *word_at<u8>(at) = static_cast<u8>(value);
        break;
    case 2:
        *word_at<u16>(at) = static_cast<u16>(value);
        break;
    case 4:
        *word_at<u32>(at) = static_cast<u32>(value);
        break;
    default:
        *word_at<u64>(at) = value;
        break;
    }
    return {};
}

Result<void> DmaCoherent::read(usize offset, Span<u8> out) const {
    return copy_out(cpu_, size_, offset, out);
}
Result<void> DmaCoherent::write(usize offset, Span<const u8> in) {
    return copy_in(cpu_, size_, offset, in);
}
void DmaCoherent::zero() {
    Span<u8> all = bytes_of(cpu_, size_);
    for (u8& b : all) {
        b = 0;
    }
}

Result<DmaStream> DmaStream::allocate(const DmaSpace& space, usize size, DmaDirection direction) {
    dma::Pages p = TRY(dma::allocate_pages(space, size));
    return DmaStream(p.cpu, p.phys, p.device_address, p.size, direction);
}

DmaStream::DmaStream(DmaStream&& other) noexcept
    : cpu_(other.cpu_), phys_(other.phys_), device_address_(other.device_address_),
      size_(other.size_), direction_(other.direction_), mapped_(other.mapped_) {
    other.size_ = 0;
}

DmaStream& DmaStream::operator=(DmaStream&& other) noexcept {
    if (this != &other) {
        DmaStream old(move(*this));
        cpu_ = other.cpu_;
        phys_ = other.phys_;
        device_address_ = other.device_address_;
        size_ = other.size_;
        direction_ = other.direction_;
        mapped_ = other.mapped_;
        other.size_ = 0;
    }
    return *this;
}

// A mapped Segment's pages hold one reference each, as allocated ones do: dropping them is the
// same either way (the caller's other handles, if any, keep theirs).
DmaStream::~DmaStream() {
    if (size_ != 0) {
        dma::free_pages(phys_, size_);
    }
}

// Coherent: the CPU's writes must be visible before the device is told (the doorbell write
// orders them too); the device's writes are visible once its completion was seen, and the read
// fence keeps later loads of the buffer after that.
void DmaStream::sync_for_device() { dma::write_fence(); }
void DmaStream::sync_for_cpu() { dma::read_fence(); }

Result<void> DmaStream::read(usize offset, Span<u8> out) const {
    return copy_out(cpu_, size_, offset, out);
}
Result<void> DmaStream::write(usize offset, Span<const u8> in) {
    return copy_in(cpu_, size_, offset, in);
}

} // namespace keel
