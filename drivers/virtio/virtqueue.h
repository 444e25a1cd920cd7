// A split virtqueue (virtio 1.2, 2.7) in DMA-coherent memory: the descriptor table, the driver's
// (avail) ring and the device's (used) ring. The driver builds descriptor chains out of device
// addresses, publishes their heads and tells the device through a Notifier; the device hands
// chains back through the used ring. Everything the device writes is treated as untrusted input:
// a used index that runs ahead of what is in flight or moves backwards, an id that is not the head
// of a chain in flight, or a length beyond the chain's writable bytes marks the queue broken, and
// from then on every operation fails with EIO instead of acting on the device's word.
//
// Not thread-safe: the driver serializes calls (a SpinLock shared with its interrupt handler).
// Portable: no registers or interrupts here, so the host tests drive it against a fake device.
#pragma once

#include <keel/box.h>
#include <keel/dma.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/span.h>
#include <keel/ktl/vector.h>

namespace keel::drivers::virtio {

// How a queue tells its device that new buffers are available (a transport's notify register).
class Notifier {
public:
    virtual void notify(u16 queue_index) = 0;
    // The device must stop using the queue's memory, which is about to be freed: a transport
    // resets the device (virtio 1.2, 3.3.1: after a reset it uses none of it).
    virtual void quiesce() = 0;

protected:
    ~Notifier() = default;
};

// One piece of a chain: a range of DMA memory by device address.
struct DmaRange {
    u64 device_address = 0;
    u32 length = 0;

    // [offset, offset + length) of a buffer; EINVAL when empty or outside it.
    static Result<DmaRange> of(const DmaStream& buffer, usize offset, usize length);
    static Result<DmaRange> of(const DmaCoherent& memory, usize offset, usize length);
};

// A chain the device has finished with: its head (the id add() returned) and how many bytes the
// device says it wrote into the chain's writable part (never more than that part holds).
struct UsedChain {
    u16 head = 0;
    u32 written = 0;
};

class Virtqueue {
public:
    // The largest queue this driver sets up, whatever the device offers (memory per queue).
    static constexpr u16 max_size = 256;
    static constexpr u16 desc_f_next = 1;
    static constexpr u16 desc_f_write = 2;
    static constexpr u16 avail_f_no_interrupt = 1;
    static constexpr u16 used_f_no_notify = 1;

    // The queue size for a device maximum: the largest power of two <= min(device_max, limit).
    // EIO for a device maximum of 0 (a queue that does not exist) or above the spec's 32768.
    static Result<u16> choose_size(u32 device_max, u16 limit = max_size);

    // size must be a power of two in [1, 32768]. The notifier must outlive the queue.
    static Result<Box<Virtqueue>> create(const DmaSpace& space, u16 queue_index, u16 size,
                                         Notifier& notifier);

    // Only create() can name Key, so only create() constructs a queue.
    class Key {
        friend class Virtqueue;
        Key() = default;
    };
    Virtqueue(Key, DmaCoherent memory, u16 index, u16 size, usize avail_offset, usize used_offset,
              Notifier& notifier)
        : memory_(move(memory)), notifier_(&notifier), index_(index), size_(size),
          avail_offset_(avail_offset), used_offset_(used_offset) {}
    Virtqueue(const Virtqueue&) = delete;
    Virtqueue& operator=(const Virtqueue&) = delete;
    // Quiesces the device before the rings go: whatever path drops a queue, the device cannot
    // write into freed memory.
    ~Virtqueue() { notifier_->quiesce(); }

    u16 index() const { return index_; }
    u16 size() const { return size_; }
    // Device addresses of the three parts, for the transport's queue registers.
    u64 descriptor_area() const { return memory_.device_address(); }
    u64 driver_area() const { return memory_.device_address() + avail_offset_; }
    u64 device_area() const { return memory_.device_address() + used_offset_; }

    usize free_descriptors() const { return free_count_; }
    usize in_flight() const { return in_flight_; } // added, published or not
    bool broken() const { return broken_; }

    // Adds a chain of readable segments followed by writable ones and queues its head for the
    // device (visible after kick()). Returns the head, which collect() reports back. EINVAL for an
    // empty chain or one longer than the queue, ENOSPC when too few descriptors are free now,
    // EIO when the queue is broken.
    Result<u16> add(Span<const DmaRange> readable, Span<const DmaRange> writable);

    // Publishes the chains added since the last kick and notifies the device unless it asked not
    // to be (VIRTQ_USED_F_NO_NOTIFY). EIO when broken. Like add() and collect(), under the lock
    // the driver shares with its interrupt handler.
    Result<void> kick();

    // The next chain the device has finished with, none when there is none yet; its descriptors
    // are free again. EIO when the device broke the queue's rules (now or before).
    Result<Optional<UsedChain>> collect();

    // Asks the device not to interrupt for this queue (a hint the device may ignore).
    Result<void> set_interrupts(bool wanted);

    // Whatever the device did, the queue refuses to go on: for the driver after a transport error.
    void mark_broken() { broken_ = true; }

private:
    struct Chain {
        bool in_flight = false;
        bool published = false; // shown to the device by kick(): only then may it be completed
        u16 descriptors = 0;
        u32 writable_bytes = 0;
    };

    Result<void> write_descriptor(u16 id, const DmaRange& segment, u16 flags, u16 next);
    Errno fail() {
        broken_ = true;
        return Errno::eio;
    }

    DmaCoherent memory_;
    Notifier* notifier_;
    u16 index_;
    u16 size_;
    usize avail_offset_;
    usize used_offset_;

    // Driver-private bookkeeping, never read back from the memory the device can write: the free
    // list and each chain's links live here, so a device scribbling over the descriptor table
    // cannot make the driver loop or hand out a descriptor twice.
    Vector<u16> next_;        // the next descriptor in a chain or in the free list
    Vector<Chain> chains_;    // indexed by head
    Vector<u16> avail_heads_; // what add() put in each avail slot, kept from the device's reach
    u16 free_head_ = 0;
    usize free_count_ = 0;
    usize in_flight_ = 0;
    u16 avail_idx_ = 0;     // the driver's next avail index (published on kick)
    u16 published_idx_ = 0; // what the device has been shown
    u16 last_used_ = 0;     // the next used entry to consume
    u16 seen_used_ = 0;     // the highest used index read so far
    bool broken_ = false;
};

} // namespace keel::drivers::virtio
