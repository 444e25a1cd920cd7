// The split virtqueue against a fake device that reads the avail ring and descriptors and writes
// used entries only through host::dma_memory (so it can reach nothing the driver did not hand
// it), then a device that lies: used indices that jump or run backwards, ids out of range or not
// in flight, completions twice, lengths beyond the writable part.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <keel/dma.h>

#include "drivers/virtio/virtqueue.h"
#include "host/dma_host.h"

using namespace keel;
using namespace keel::drivers::virtio;

namespace {

struct Piece {
    u64 address;
    u32 length;
    bool writable;
};

struct Request {
    u16 head;
    std::vector<Piece> pieces;
};

template <typename T>
T load(u64 address) {
    Optional<Span<u8>> m = host::dma_memory(address, sizeof(T));
    EXPECT_TRUE(m.has_value());
    T value{};
    if (m) {
        std::memcpy(&value, m->data(), sizeof(T));
    }
    return value;
}

template <typename T>
void store(u64 address, T value) {
    Optional<Span<u8>> m = host::dma_memory(address, sizeof(T));
    ASSERT_TRUE(m.has_value());
    std::memcpy(m->data(), &value, sizeof(T));
}

class FakeDevice final : public Notifier {
public:
    void notify(u16 queue_index) override {
        EXPECT_EQ(queue_index, index);
        ++notifications;
    }
    void quiesce() override { ++quiesced; }

    void attach(const Virtqueue& q) {
        desc = q.descriptor_area();
        avail = q.driver_area();
        used = q.device_area();
        size = q.size();
    }

    // Every chain published since the last call, walked the way a device walks them.
    std::vector<Request> take() {
        std::vector<Request> out;
        u16 idx = load<u16>(avail + 2);
        while (next_avail != idx) {
            u16 head = load<u16>(avail + 4 + 2 * (next_avail % size));
            Request r{head, {}};
            u16 id = head;
            for (int guard = 0; guard < size; ++guard) {
                u64 d = desc + 16 * u64{id};
                u16 flags = load<u16>(d + 12);
                r.pieces.push_back({load<u64>(d), load<u32>(d + 8), (flags & 2) != 0});
                if ((flags & 1) == 0) {
                    break;
                }
                id = load<u16>(d + 14);
            }
            out.push_back(r);
            ++next_avail;
        }
        return out;
    }

    void write_entry(u16 slot, u32 id, u32 len) {
        u64 e = used + 4 + 8 * u64{static_cast<u16>(slot % size)};
        store<u32>(e, id);
        store<u32>(e + 4, len);
    }
    void set_used_idx(u16 idx) { store<u16>(used + 2, idx); }
    void complete(u32 id, u32 len) {
        write_entry(used_idx, id, len);
        ++used_idx;
        set_used_idx(used_idx);
    }
    void set_no_notify(bool on) { store<u16>(used, on ? 1 : 0); }

    u16 index = 0;
    int notifications = 0;
    int quiesced = 0;
    u64 desc = 0, avail = 0, used = 0;
    u16 size = 0;
    u16 next_avail = 0;
    u16 used_idx = 0;
};

struct Fixture {
    FakeDevice device;
    Box<Virtqueue> queue;
    DmaStream data;
};

Box<Virtqueue> make_queue(FakeDevice& device, u16 size) {
    Result<Box<Virtqueue>> q = Virtqueue::create(DmaSpace::identity(), 0, size, device);
    EXPECT_TRUE(q.ok());
    Box<Virtqueue> queue = q.release_value();
    device.attach(*queue);
    return queue;
}

DmaStream make_buffer(usize size) {
    Result<DmaStream> b =
        DmaStream::allocate(DmaSpace::identity(), size, DmaDirection::bidirectional);
    EXPECT_TRUE(b.ok());
    return b.release_value();
}

DmaRange seg(const DmaStream& b, usize offset, usize length) {
    Result<DmaRange> s = DmaRange::of(b, offset, length);
    EXPECT_TRUE(s.ok());
    return s.value();
}

std::vector<u8> snapshot(u64 address, usize size) {
    Optional<Span<u8>> m = host::dma_memory(address, size);
    EXPECT_TRUE(m.has_value());
    return m ? std::vector<u8>(m->data(), m->data() + size) : std::vector<u8>();
}

// Adds one request of a readable header and a writable reply; returns its head.
u16 add_request(Virtqueue& q, const DmaStream& b, usize at) {
    DmaRange r[1] = {seg(b, at, 16)};
    DmaRange w[1] = {seg(b, at + 16, 48)};
    Result<u16> head = q.add(Span<const DmaRange>(r), Span<const DmaRange>(w));
    EXPECT_TRUE(head.ok());
    return head.value_or(0xffff);
}

} // namespace

TEST(Virtqueue, SizesAreCheckedPowersOfTwo) {
    EXPECT_EQ(Virtqueue::choose_size(0).error(), Errno::eio);
    EXPECT_EQ(Virtqueue::choose_size(40000).error(), Errno::eio);
    EXPECT_EQ(Virtqueue::choose_size(1024).value(), Virtqueue::max_size);
    EXPECT_EQ(Virtqueue::choose_size(100).value(), 64);
    EXPECT_EQ(Virtqueue::choose_size(1).value(), 1);
    FakeDevice device;
    EXPECT_EQ(Virtqueue::create(DmaSpace::identity(), 0, 12, device).error(), Errno::einval);
    EXPECT_EQ(Virtqueue::create(DmaSpace::identity(), 0, 0, device).error(), Errno::einval);
}

TEST(Virtqueue, LayoutIsAligned) {
    FakeDevice device;
    Box<Virtqueue> q = make_queue(device, 8);
    EXPECT_EQ(q->descriptor_area() % 16, 0u);
    EXPECT_EQ(q->driver_area() % 2, 0u);
    EXPECT_EQ(q->device_area() % 4, 0u);
    EXPECT_GE(q->driver_area(), q->descriptor_area() + 16 * 8);
    EXPECT_GE(q->device_area(), q->driver_area() + 4 + 2 * 8 + 2);
    // The whole used ring is inside the allocation.
    EXPECT_TRUE(host::dma_memory(q->device_area(), 4 + 8 * 8 + 2).has_value());
}

TEST(Virtqueue, OneRequestRoundTrip) {
    usize before = host::live_dma_allocations();
    {
        FakeDevice device;
        Box<Virtqueue> q = make_queue(device, 8);
        DmaStream b = make_buffer(4096);
        const u8 header[4] = {'k', 'e', 'e', 'l'};
        ASSERT_TRUE(b.write(0, Span<const u8>(header)).ok());
        u16 head = add_request(*q, b, 0);
        EXPECT_EQ(q->free_descriptors(), 6u);
        EXPECT_EQ(q->in_flight(), 1u);
        // Nothing is visible before kick.
        EXPECT_TRUE(device.take().empty());
        ASSERT_TRUE(q->kick().ok());
        EXPECT_EQ(device.notifications, 1);
        std::vector<Request> reqs = device.take();
        ASSERT_EQ(reqs.size(), 1u);
        ASSERT_EQ(reqs[0].pieces.size(), 2u);
        EXPECT_EQ(reqs[0].head, head);
        EXPECT_EQ(reqs[0].pieces[0].address, b.device_address());
        EXPECT_EQ(reqs[0].pieces[0].length, 16u);
        EXPECT_FALSE(reqs[0].pieces[0].writable);
        EXPECT_EQ(reqs[0].pieces[1].address, b.device_address() + 16);
        EXPECT_EQ(reqs[0].pieces[1].length, 48u);
        EXPECT_TRUE(reqs[0].pieces[1].writable);
        EXPECT_EQ(load<u8>(reqs[0].pieces[0].address + 3), 'l');
        store<u8>(reqs[0].pieces[1].address, 0x5a);

        // Not done yet: nothing to collect.
        Result<Optional<UsedChain>> none = q->collect();
        ASSERT_TRUE(none.ok());
        EXPECT_FALSE(none.value().has_value());

        device.complete(head, 1);
        Result<Optional<UsedChain>> got = q->collect();
        ASSERT_TRUE(got.ok());
        ASSERT_TRUE(got.value().has_value());
        EXPECT_EQ(got.value()->head, head);
        EXPECT_EQ(got.value()->written, 1u);
        u8 reply[1] = {};
        ASSERT_TRUE(b.read(16, Span<u8>(reply)).ok());
        EXPECT_EQ(reply[0], 0x5a);
        EXPECT_EQ(q->free_descriptors(), 8u);
        EXPECT_EQ(q->in_flight(), 0u);
        EXPECT_FALSE(q->collect().value().has_value());
    }
    EXPECT_EQ(host::live_dma_allocations(), before);
}

TEST(Virtqueue, ManyInFlightCompleteOutOfOrderAndDescriptorsAreReused) {
    FakeDevice device;
    Box<Virtqueue> q = make_queue(device, 16);
    DmaStream b = make_buffer(4096);
    for (int round = 0; round < 20; ++round) { // wraps the 16-bit indices' ring slots many times
        std::vector<u16> heads;
        for (int i = 0; i < 8; ++i) {
            heads.push_back(add_request(*q, b, 64 * i));
        }
        EXPECT_EQ(q->free_descriptors(), 0u);
        ASSERT_TRUE(q->kick().ok());
        std::vector<Request> reqs = device.take();
        ASSERT_EQ(reqs.size(), 8u);
        // Reverse order, odd ones first.
        std::vector<u16> order;
        for (int i = 7; i >= 0; i -= 2)
            order.push_back(reqs[i].head);
        for (int i = 6; i >= 0; i -= 2)
            order.push_back(reqs[i].head);
        for (u16 h : order)
            device.complete(h, 48);
        for (u16 h : order) {
            Result<Optional<UsedChain>> got = q->collect();
            ASSERT_TRUE(got.ok());
            ASSERT_TRUE(got.value().has_value());
            EXPECT_EQ(got.value()->head, h);
        }
        EXPECT_FALSE(q->collect().value().has_value());
        EXPECT_EQ(q->free_descriptors(), 16u);
    }
    EXPECT_FALSE(q->broken());
}

TEST(Virtqueue, FullQueueSaysNoSpaceAndOversizedChainsAreInvalid) {
    FakeDevice device;
    Box<Virtqueue> q = make_queue(device, 4);
    DmaStream b = make_buffer(4096);
    add_request(*q, b, 0);
    DmaRange three[3] = {seg(b, 100, 1), seg(b, 200, 1), seg(b, 300, 1)};
    EXPECT_EQ(q->add(Span<const DmaRange>(three), {}).error(), Errno::enospc);
    add_request(*q, b, 64);
    DmaRange one[1] = {seg(b, 100, 1)};
    EXPECT_EQ(q->add(Span<const DmaRange>(one), {}).error(), Errno::enospc);
    DmaRange five[5] = {seg(b, 0, 1), seg(b, 1, 1), seg(b, 2, 1), seg(b, 3, 1), seg(b, 4, 1)};
    EXPECT_EQ(q->add(Span<const DmaRange>(five), {}).error(), Errno::einval);
    EXPECT_EQ(q->add({}, {}).error(), Errno::einval);
    DmaRange empty[1] = {DmaRange{b.device_address(), 0}};
    EXPECT_EQ(q->add({}, Span<const DmaRange>(empty)).error(), Errno::einval);
    EXPECT_EQ(DmaRange::of(b, 4000, 200).error(), Errno::einval);
    EXPECT_EQ(DmaRange::of(b, 0, 0).error(), Errno::einval);
    EXPECT_FALSE(q->broken());
}

TEST(Virtqueue, NotificationSuppressionIsHonoured) {
    FakeDevice device;
    Box<Virtqueue> q = make_queue(device, 8);
    DmaStream b = make_buffer(4096);
    device.set_no_notify(true);
    add_request(*q, b, 0);
    ASSERT_TRUE(q->kick().ok());
    EXPECT_EQ(device.notifications, 0);
    EXPECT_EQ(device.take().size(), 1u); // published all the same
    device.set_no_notify(false);
    add_request(*q, b, 64);
    ASSERT_TRUE(q->kick().ok());
    EXPECT_EQ(device.notifications, 1);
    ASSERT_TRUE(q->kick().ok()); // nothing new: no notification
    EXPECT_EQ(device.notifications, 1);
    ASSERT_TRUE(q->set_interrupts(false).ok());
    EXPECT_EQ(load<u16>(device.avail), 1);
}

namespace {

// A queue with two requests in flight and snapshots of everything the driver owns, to check
// that a rejected device write changes nothing but the broken flag.
struct Hostile {
    FakeDevice device;
    Box<Virtqueue> q;
    DmaStream b;
    u16 first;
    u16 second;
    std::vector<u8> rings;
    std::vector<u8> buffer;

    Hostile() : q(make_queue(device, 8)), b(make_buffer(4096)) {
        for (usize i = 0; i < 4096; i += 8) {
            const u8 fill[8] = {0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5};
            EXPECT_TRUE(b.write(i, Span<const u8>(fill)).ok());
        }
        first = add_request(*q, b, 0);
        second = add_request(*q, b, 64);
        EXPECT_TRUE(q->kick().ok());
        EXPECT_EQ(device.take().size(), 2u);
    }
    void take_snapshots() {
        rings = snapshot(q->descriptor_area(), q->device_area() - q->descriptor_area());
        buffer = snapshot(b.device_address(), 4096);
    }
    void expect_rejected_without_effect() {
        usize free = q->free_descriptors();
        Result<Optional<UsedChain>> got = q->collect();
        ASSERT_TRUE(got.is_error());
        EXPECT_EQ(got.error(), Errno::eio);
        EXPECT_TRUE(q->broken());
        EXPECT_EQ(q->free_descriptors(), free);
        EXPECT_EQ(snapshot(q->descriptor_area(), q->device_area() - q->descriptor_area()), rings);
        EXPECT_EQ(snapshot(b.device_address(), 4096), buffer);
        // Broken for good: nothing more is taken from or given to the device.
        EXPECT_EQ(q->collect().error(), Errno::eio);
        DmaRange one[1] = {seg(b, 200, 1)};
        EXPECT_EQ(q->add(Span<const DmaRange>(one), {}).error(), Errno::eio);
        EXPECT_EQ(q->kick().error(), Errno::eio);
        EXPECT_EQ(snapshot(q->descriptor_area(), q->device_area() - q->descriptor_area()), rings);
    }
};

} // namespace

TEST(Virtqueue, UsedIndexJumpingPastWhatIsInFlightBreaksTheQueue) {
    Hostile h;
    h.device.write_entry(0, h.first, 0);
    h.device.write_entry(1, h.second, 0);
    h.device.write_entry(2, h.first, 0);
    h.device.set_used_idx(3); // only two were in flight
    h.take_snapshots();
    h.expect_rejected_without_effect();
}

TEST(Virtqueue, UsedIndexFarAheadBreaksTheQueue) {
    Hostile h;
    h.device.set_used_idx(0x8000);
    h.take_snapshots();
    h.expect_rejected_without_effect();
}

TEST(Virtqueue, UsedIndexMovingBackwardsBreaksTheQueue) {
    Hostile h;
    h.device.write_entry(0, h.first, 0);
    h.device.write_entry(1, h.second, 0);
    h.device.set_used_idx(2);
    ASSERT_TRUE(h.q->collect().value().has_value()); // sees 2, consumes 1
    h.device.set_used_idx(1);                        // back to where the driver is
    h.take_snapshots();
    h.expect_rejected_without_effect();
}

TEST(Virtqueue, UsedIdOutOfRangeBreaksTheQueue) {
    Hostile h;
    h.device.complete(8, 0);
    h.take_snapshots();
    h.expect_rejected_without_effect();
}

TEST(Virtqueue, UsedIdNotTheHeadOfAChainInFlightBreaksTheQueue) {
    Hostile h;
    // The second descriptor of the first chain, and a free descriptor: neither is a head.
    std::vector<Request> none = h.device.take();
    EXPECT_TRUE(none.empty());
    u16 inner = load<u16>(h.device.desc + 16 * u64{h.first} + 14);
    h.device.complete(inner, 0);
    h.take_snapshots();
    h.expect_rejected_without_effect();

    Hostile free_one;
    free_one.device.complete(7, 0);
    free_one.take_snapshots();
    free_one.expect_rejected_without_effect();
}

TEST(Virtqueue, DuplicateCompletionBreaksTheQueue) {
    Hostile h;
    h.device.complete(h.first, 0);
    ASSERT_TRUE(h.q->collect().value().has_value());
    h.device.complete(h.first, 0); // second is still in flight, so the index is plausible
    h.take_snapshots();
    h.expect_rejected_without_effect();
    EXPECT_EQ(h.q->in_flight(), 1u);
}

TEST(Virtqueue, LengthBeyondTheWritablePartBreaksTheQueue) {
    Hostile h;
    h.device.complete(h.first, 49); // 48 writable bytes
    h.take_snapshots();
    h.expect_rejected_without_effect();

    Hostile exact;
    exact.device.complete(exact.first, 48);
    Result<Optional<UsedChain>> got = exact.q->collect();
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got.value()->written, 48u);
}

TEST(Virtqueue, ReadOnlyChainMayReportNoBytesOnly) {
    FakeDevice device;
    Box<Virtqueue> q = make_queue(device, 8);
    DmaStream b = make_buffer(4096);
    DmaRange r[1] = {seg(b, 0, 100)};
    u16 head = q->add(Span<const DmaRange>(r), {}).value();
    ASSERT_TRUE(q->kick().ok());
    device.complete(head, 1);
    EXPECT_EQ(q->collect().error(), Errno::eio);
}

TEST(Virtqueue, ScribbledDescriptorsDoNotConfuseTheFreeList) {
    FakeDevice device;
    Box<Virtqueue> q = make_queue(device, 8);
    DmaStream b = make_buffer(4096);
    u16 head = add_request(*q, b, 0);
    ASSERT_TRUE(q->kick().ok());
    // The device rewrites every next link into a loop; the driver's own links are unaffected.
    for (u16 i = 0; i < 8; ++i) {
        store<u16>(device.desc + 16 * u64{i} + 14, i);
        store<u16>(device.desc + 16 * u64{i} + 12, 1);
    }
    device.complete(head, 0);
    ASSERT_TRUE(q->collect().value().has_value());
    EXPECT_EQ(q->free_descriptors(), 8u);
    std::vector<u16> heads;
    for (int i = 0; i < 4; ++i)
        heads.push_back(add_request(*q, b, 64 * i));
    std::sort(heads.begin(), heads.end());
    EXPECT_EQ(std::unique(heads.begin(), heads.end()), heads.end());
    EXPECT_EQ(q->free_descriptors(), 0u);
}

namespace {

// A tiny deterministic generator for the randomized test (xorshift64*).
struct Rng {
    u64 state;
    u64 next() {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 2685821657736338717ULL;
    }
    u32 below(u32 n) { return static_cast<u32>(next() % n); }
};

} // namespace

// Many rounds of honest traffic mixed with random lies: whatever the device writes, the queue
// either hands back a chain that really was in flight with a length it can hold, or breaks for
// good - and its own accounting never goes wrong.
TEST(Virtqueue, RandomDeviceLiesNeverCorruptTheQueue) {
    for (u64 seed = 1; seed <= 200; ++seed) {
        Rng rng{seed * 0x9e3779b97f4a7c15ULL};
        FakeDevice device;
        Box<Virtqueue> q = make_queue(device, 16);
        DmaStream b = make_buffer(4096);
        std::vector<u16> in_flight;
        for (int step = 0; step < 200 && !q->broken(); ++step) {
            u32 action = rng.below(10);
            if (action < 4 && q->free_descriptors() >= 2) {
                in_flight.push_back(add_request(*q, b, 64 * rng.below(32)));
                ASSERT_TRUE(q->kick().ok());
                device.take();
            } else if (action < 8 && !in_flight.empty()) {
                usize pick = rng.below(static_cast<u32>(in_flight.size()));
                device.complete(in_flight[pick], rng.below(49));
                in_flight.erase(in_flight.begin() + static_cast<long>(pick));
            } else if (action == 8) {
                device.complete(rng.below(20), rng.below(100)); // maybe a lie
            } else {
                device.used_idx = static_cast<u16>(device.used_idx + rng.below(3));
                device.set_used_idx(device.used_idx); // maybe a lie
            }
            for (;;) {
                Result<Optional<UsedChain>> got = q->collect();
                if (got.is_error()) {
                    EXPECT_TRUE(q->broken());
                    break;
                }
                if (!got.value()) {
                    break;
                }
                EXPECT_LE(got.value()->written, 48u);
            }
            EXPECT_EQ(q->free_descriptors() + 2 * q->in_flight(), 16u);
        }
    }
}

TEST(Virtqueue, CompletingAChainNotYetPublishedBreaksTheQueue) {
    FakeDevice device;
    Box<Virtqueue> q = make_queue(device, 8);
    DmaStream b = make_buffer(4096);
    u16 shown = add_request(*q, b, 0);
    ASSERT_TRUE(q->kick().ok());
    u16 hidden = add_request(*q, b, 64); // added, not kicked: the device has not seen it
    // Its id guessed, with an index that only counts what was shown: still refused.
    device.complete(hidden, 0);
    Result<Optional<UsedChain>> got = q->collect();
    ASSERT_TRUE(got.is_error());
    EXPECT_TRUE(q->broken());

    FakeDevice other;
    Box<Virtqueue> q2 = make_queue(other, 8);
    (void)add_request(*q2, b, 0);
    ASSERT_TRUE(q2->kick().ok());
    (void)add_request(*q2, b, 64);
    // Two completions while one chain was shown: the index is beyond what the device knows.
    other.complete(shown, 0);
    other.complete(hidden, 0);
    EXPECT_TRUE(q2->collect().is_error());
}
