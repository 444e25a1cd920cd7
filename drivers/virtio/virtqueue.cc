// The split virtqueue's layout and rules (virtio 1.2, 2.7): descriptors of 16 bytes (addr u64,
// len u32, flags u16, next u16), the avail ring (flags u16, idx u16, ring[size] u16,
// used_event u16) and the used ring (flags u16, idx u16, ring[size] of {id u32, len u32},
// avail_event u16), all little-endian.
#include "drivers/virtio/virtqueue.h"

namespace keel::drivers::virtio {

namespace {

constexpr usize descriptor_bytes = 16;
constexpr usize used_element_bytes = 8;
constexpr u32 spec_max_size = 32768;

} // namespace

Result<DmaRange> DmaRange::of(const DmaStream& buffer, usize offset, usize length) {
    if (length == 0 || length > ~u32{0} || offset > buffer.size() ||
        length > buffer.size() - offset) {
        return Errno::einval;
    }
    return DmaRange{buffer.device_address() + offset, static_cast<u32>(length)};
}

Result<DmaRange> DmaRange::of(const DmaCoherent& memory, usize offset, usize length) {
    if (length == 0 || length > ~u32{0} || offset > memory.size() ||
        length > memory.size() - offset) {
        return Errno::einval;
    }
    return DmaRange{memory.device_address() + offset, static_cast<u32>(length)};
}

Result<u16> Virtqueue::choose_size(u32 device_max, u16 limit) {
    if (device_max == 0 || device_max > spec_max_size || limit == 0) {
        return Errno::eio;
    }
    u32 bound = min(device_max, u32{limit});
    u32 size = 1;
    while (size * 2 <= bound) {
        size *= 2;
    }
    return static_cast<u16>(size);
}

Result<Box<Virtqueue>> Virtqueue::create(const DmaSpace& space, u16 queue_index, u16 size,
                                         Notifier& notifier) {
    if (!is_power_of_two(size) || size > spec_max_size) {
        return Errno::einval;
    }
    // Descriptors need 16-byte alignment, the avail ring 2, the used ring 4 (2.7.10.1).
    usize avail_offset = descriptor_bytes * size;
    usize avail_end = avail_offset + 4 + 2 * usize{size} + 2;
    usize used_offset = align_up(avail_end, 4);
    usize used_end = used_offset + 4 + used_element_bytes * size + 2;
    DmaCoherent memory = TRY(DmaCoherent::allocate(space, used_end));
    Box<Virtqueue> queue = TRY(make_box<Virtqueue>(Key(), move(memory), queue_index, size,
                                                   avail_offset, used_offset, notifier));
    TRY(queue->next_.resize(size));
    TRY(queue->chains_.resize(size));
    TRY(queue->avail_heads_.resize(size));
    for (u16 i = 0; i < size; ++i) {
        queue->next_[i] = static_cast<u16>(i + 1); // the last one's link is never followed
    }
    queue->free_head_ = 0;
    queue->free_count_ = size;
    return queue;
}

Result<void> Virtqueue::write_descriptor(u16 id, const DmaRange& segment, u16 flags, u16 next) {
    usize at = descriptor_bytes * id;
    TRY(memory_.store<u64>(at, segment.device_address));
    TRY(memory_.store<u32>(at + 8, segment.length));
    TRY(memory_.store<u16>(at + 12, flags));
    TRY(memory_.store<u16>(at + 14, next));
    return {};
}

Result<u16> Virtqueue::add(Span<const DmaRange> readable, Span<const DmaRange> writable) {
    if (broken_) {
        return Errno::eio;
    }
    usize count = readable.size() + writable.size();
    if (count == 0 || count > size_) {
        return Errno::einval;
    }
    u64 writable_bytes = 0;
    for (const DmaRange& s : readable) {
        if (s.length == 0) {
            return Errno::einval;
        }
    }
    for (const DmaRange& s : writable) {
        if (s.length == 0) {
            return Errno::einval;
        }
        writable_bytes += s.length;
    }
    if (writable_bytes > ~u32{0}) {
        return Errno::einval; // the used ring's len could not describe it
    }
    if (count > free_count_) {
        return Errno::enospc;
    }

    // Take count descriptors off the free list; their private links already form the chain.
    u16 head = free_head_;
    u16 id = head;
    for (usize i = 0; i < count; ++i) {
        bool last = i + 1 == count;
        bool write = i >= readable.size();
        const DmaRange& s = write ? writable[i - readable.size()] : readable[i];
        u16 next = last ? 0 : next_[id];
        u16 flags = static_cast<u16>((last ? 0 : desc_f_next) | (write ? desc_f_write : 0));
        TRY(write_descriptor(id, s, flags, next));
        if (!last) {
            id = next_[id];
        }
    }
    free_head_ = next_[id];
    free_count_ -= count;
    chains_[head] = Chain{true, false, static_cast<u16>(count), static_cast<u32>(writable_bytes)};
    ++in_flight_;

    // The ring entry now; the index that makes it visible waits for kick().
    usize slot = avail_offset_ + 4 + 2 * usize{static_cast<u16>(avail_idx_ & (size_ - 1))};
    TRY(memory_.store<u16>(slot, head));
    avail_heads_[avail_idx_ & (size_ - 1)] = head;
    avail_idx_ = static_cast<u16>(avail_idx_ + 1);
    return head;
}

Result<void> Virtqueue::kick() {
    if (broken_) {
        return Errno::eio;
    }
    if (published_idx_ == avail_idx_) {
        return {};
    }
    // Marked before the index shows them: from that store on, the device may complete them
    // (and an interrupt collect them) before the next line here runs.
    for (u16 i = published_idx_; i != avail_idx_; i = static_cast<u16>(i + 1)) {
        chains_[avail_heads_[i & (size_ - 1)]].published = true;
    }
    u16 before = published_idx_;
    published_idx_ = avail_idx_;
    // Descriptors and ring entries before the index that publishes them (2.7.13.3.1).
    dma::write_fence();
    if (Result<void> stored = memory_.store<u16>(avail_offset_ + 2, avail_idx_);
        stored.is_error()) {
        published_idx_ = before; // never shown after all
        for (u16 i = before; i != avail_idx_; i = static_cast<u16>(i + 1)) {
            chains_[avail_heads_[i & (size_ - 1)]].published = false;
        }
        return stored.error();
    }
    // The index store before reading whether the device wants to hear about it (2.7.13.4).
    dma::full_fence();
    u16 used_flags = TRY(memory_.load<u16>(used_offset_));
    if ((used_flags & used_f_no_notify) == 0) {
        notifier_->notify(index_);
    }
    return {};
}

Result<Optional<UsedChain>> Virtqueue::collect() {
    if (broken_) {
        return Errno::eio;
    }
    u16 used_idx = TRY(memory_.load<u16>(used_offset_ + 2));
    u16 pending = static_cast<u16>(used_idx - last_used_);
    u16 seen = static_cast<u16>(seen_used_ - last_used_);
    // The device can only hand back what it was shown, and its index never moves backwards.
    usize unpublished = static_cast<u16>(avail_idx_ - published_idx_);
    if (pending > in_flight_ - unpublished || pending < seen) {
        return fail();
    }
    seen_used_ = used_idx;
    if (pending == 0) {
        return Optional<UsedChain>();
    }
    // The index before the entry it covers (2.7.13.3.1's counterpart on the device side).
    dma::read_fence();
    usize entry = used_offset_ + 4 + used_element_bytes * (last_used_ & (size_ - 1));
    u32 id = TRY(memory_.load<u32>(entry));
    u32 written = TRY(memory_.load<u32>(entry + 4));
    if (id >= size_) {
        return fail();
    }
    Chain& chain = chains_[id];
    if (!chain.in_flight || !chain.published || written > chain.writable_bytes) {
        return fail();
    }
    // Give the chain's descriptors back: follow the private links, chain.descriptors of them.
    u16 tail = static_cast<u16>(id);
    for (u16 i = 1; i < chain.descriptors; ++i) {
        tail = next_[tail];
    }
    next_[tail] = free_head_;
    free_head_ = static_cast<u16>(id);
    free_count_ += chain.descriptors;
    chain = Chain{};
    --in_flight_;
    last_used_ = static_cast<u16>(last_used_ + 1);
    return Optional<UsedChain>(UsedChain{static_cast<u16>(id), written});
}

Result<void> Virtqueue::set_interrupts(bool wanted) {
    if (broken_) {
        return Errno::eio;
    }
    return memory_.store<u16>(avail_offset_, wanted ? 0 : avail_f_no_interrupt);
}

} // namespace keel::drivers::virtio
