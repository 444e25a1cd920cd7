// virtio-blk (virtio 1.2, 5.2): one request queue; each request is a chain of a readable header
// (type, reserved, sector), the data (readable for writes, writable for reads) and a writable
// status byte. Several requests are in flight at once, one per slot (a header, a status byte and
// a bounce buffer of DMA memory); callers sleep until the interrupt handler has collected their
// request from the used ring.
#include <keel/global.h>
#include <keel/log.h>
#include <keel/spin_lock.h>
#include <keel/wait_queue.h>

#include "drivers/block/block_device.h"
#include "drivers/virtio/drivers.h"

namespace keel::drivers::virtio {

namespace {

constexpr u64 feature_read_only = u64{1} << 5;
constexpr u64 feature_flush = u64{1} << 9;

constexpr u32 request_in = 0;
constexpr u32 request_out = 1;
constexpr u32 request_flush = 4;

constexpr u8 status_ok = 0;
constexpr u8 status_unset = 0xff; // what the device must overwrite

constexpr usize header_bytes = 16;
constexpr usize max_slots = 8;
constexpr usize slot_data_bytes = 16 * 1024; // larger requests go in pieces

class VirtioBlock final : public BlockDevice, public IrqHandler {
    enum class State : u8 { idle, reserved, submitted, done };
    // QEMU answers in microseconds; a real disk retrying a bad sector takes seconds. Beyond
    // this the device is taken for dead (Linux's default block timeout is 30 s too).
    static constexpr u64 request_timeout_ns = u64{30} * 1000 * 1000 * 1000;

public:
    struct Parts {
        Box<Transport> transport;
        Box<Virtqueue> queue;
        DmaCoherent requests;
        Vector<DmaStream> data;
        u64 sectors;
        bool read_only;
        bool can_flush;
    };

    VirtioBlock(Parts parts, StringView name)
        : transport_(move(parts.transport)), queue_(move(parts.queue)),
          requests_(move(parts.requests)), data_(move(parts.data)), sectors_(parts.sectors),
          read_only_(parts.read_only), can_flush_(parts.can_flush) {
        format(name_, "{}", name);
    }

    // The device stops and its interrupt is detached before any buffer it was given is freed.
    ~VirtioBlock() override { transport_->shutdown(); }

    Result<void> allocate_state() { return state_.resize(data_.size()); }

    StringView name() const override { return name_.view(); }
    u64 sector_count() const override { return sectors_; }
    bool read_only() const override { return read_only_; }
    Transport& transport() { return *transport_; }

    Result<void> read(u64 sector, Span<u8> out) override {
        TRY(check_range(sector, out.size()));
        for (usize done = 0; done < out.size(); done += slot_data_bytes) {
            usize n = min(slot_data_bytes, out.size() - done);
            TRY(request(request_in, sector + done / sector_size, {}, out.subspan(done, n)));
        }
        return {};
    }

    Result<void> write(u64 sector, Span<const u8> in) override {
        TRY(check_range(sector, in.size()));
        if (read_only_) {
            return Errno::erofs;
        }
        for (usize done = 0; done < in.size(); done += slot_data_bytes) {
            usize n = min(slot_data_bytes, in.size() - done);
            TRY(request(request_out, sector + done / sector_size, in.subspan(done, n), {}));
        }
        return {};
    }

    Result<void> flush() override {
        if (!can_flush_) {
            return {}; // without VIRTIO_BLK_F_FLUSH the device has no write cache to flush
        }
        return request(request_flush, 0, {}, {});
    }

    void handle_irq() override {
        Result<u32> cause = transport_->acknowledge_interrupt();
        if (cause.is_error() || (cause.value() & interrupt_queue) == 0) {
            return; // a configuration change, or another device's interrupt on a shared line
        }
        reap();
    }

private:
    usize header_offset(usize slot) const { return header_bytes * slot; }
    usize status_offset(usize slot) const { return header_bytes * max_slots + slot; }

    // Collects finished requests and wakes their callers; a broken queue fails every request in
    // flight and the device.
    void reap() {
        bool woke = false;
        bool failed_now = false;
        {
            SpinLockGuard guard(lock_);
            for (;;) {
                Result<Optional<UsedChain>> used = queue_->collect();
                if (used.is_error()) {
                    failed_now = !failed_;
                    failed_ = true;
                    for (State& s : state_) {
                        if (s == State::submitted) {
                            s = State::done;
                            woke = true;
                        }
                    }
                    break;
                }
                if (!used.value().has_value()) {
                    break;
                }
                for (usize i = 0; i < state_.size(); ++i) {
                    if (state_[i] == State::submitted && head_[i] == used.value()->head) {
                        state_[i] = State::done;
                        woke = true;
                    }
                }
            }
        }
        if (failed_now) {
            log::error("virtio-blk: {} broke the virtqueue protocol; failing it", name());
            transport_->fail();
        }
        if (woke) {
            completions_.wake_all();
        }
    }

    // A free slot, or none once the device failed (then nothing is submitted any more).
    Optional<usize> take_slot() {
        Optional<usize> slot;
        free_slots_.wait_until([&] {
            SpinLockGuard guard(lock_);
            if (failed_) {
                return true;
            }
            for (usize i = 0; i < state_.size(); ++i) {
                if (state_[i] == State::idle) {
                    state_[i] = State::reserved;
                    slot = i;
                    return true;
                }
            }
            return false;
        });
        return slot;
    }

    // A device that stops answering fails for good: its requests in flight and every later one
    // end with EIO. Their buffers stay the driver's (it lives as long as the kernel), so a late
    // completion writes only memory nobody reads.
    void fail_device(StringView why) {
        {
            SpinLockGuard guard(lock_);
            if (failed_) {
                return;
            }
            failed_ = true;
        }
        log::error("virtio-blk: {} {}; failing it", name(), why);
        transport_->fail();
        completions_.wake_all();
        free_slots_.wake_all();
    }

    void give_back(usize slot) {
        free_slots_.notify_all([&] {
            SpinLockGuard guard(lock_);
            state_[slot] = State::idle;
        });
    }

    Result<void> request(u32 type, u64 sector, Span<const u8> out, Span<u8> in) {
        Optional<usize> slot = take_slot();
        if (!slot) {
            return Errno::eio;
        }
        Result<void> result = run(*slot, type, sector, out, in);
        give_back(*slot);
        return result;
    }

    Result<void> run(usize slot, u32 type, u64 sector, Span<const u8> out, Span<u8> in) {
        DmaStream& data = data_[slot];
        usize data_bytes = out.size() + in.size();
        Result<void> kicked = Errno::eio;
        if (!out.empty()) {
            TRY(data.write(0, out));
        }
        {
            SpinLockGuard guard(lock_);
            if (failed_) {
                return Errno::eio;
            }
            TRY(requests_.store<u32>(header_offset(slot), type));
            TRY(requests_.store<u32>(header_offset(slot) + 4, 0));
            TRY(requests_.store<u64>(header_offset(slot) + 8, sector));
            TRY(requests_.store<u8>(status_offset(slot), status_unset));
            data.sync_for_device();

            Array<DmaRange, 2> readable{};
            Array<DmaRange, 2> writable{};
            usize r = 0;
            usize w = 0;
            readable[r++] = TRY(DmaRange::of(requests_, header_offset(slot), header_bytes));
            if (!out.empty()) {
                readable[r++] = TRY(DmaRange::of(data, 0, data_bytes));
            } else if (!in.empty()) {
                writable[w++] = TRY(DmaRange::of(data, 0, data_bytes));
            }
            writable[w++] = TRY(DmaRange::of(requests_, status_offset(slot), 1));
            head_[slot] = TRY(queue_->add(readable.span().first(r), writable.span().first(w)));
            state_[slot] = State::submitted;
            // Under the lock: the interrupt handler collects from the same queue.
            kicked = queue_->kick();
        }
        // From here the device may own the slot's memory: a failure can no longer just give
        // the slot back, it fails the device (whose slots are then never reused).
        if (kicked.is_error()) {
            fail_device("could not be notified");
            return kicked.error();
        }
        bool completed = completions_.wait_until_for(
            [&] {
                SpinLockGuard guard(lock_);
                return state_[slot] == State::done || failed_;
            },
            request_timeout_ns);
        if (!completed) {
            {
                // The completion may have come between the timeout and here.
                SpinLockGuard guard(lock_);
                completed = state_[slot] == State::done;
            }
            if (!completed) {
                fail_device("did not complete a request in 30 s");
                return Errno::eio;
            }
        }

        bool failed = false;
        {
            SpinLockGuard guard(lock_);
            failed = failed_;
        }
        if (failed) {
            return Errno::eio;
        }
        data.sync_for_cpu();
        u8 status = TRY(requests_.load<u8>(status_offset(slot)));
        if (status != status_ok) {
            log::warn("virtio-blk: {} request {} at sector {} failed with status {}", name(), type,
                      sector, status);
            return Errno::eio; // IOERR, UNSUPP, or a status the device never wrote
        }
        if (!in.empty()) {
            TRY(data.read(0, in));
        }
        return {};
    }

    Box<Transport> transport_;
    Box<Virtqueue> queue_;
    DmaCoherent requests_; // headers, then status bytes, max_slots of each
    Vector<DmaStream> data_;
    u64 sectors_;
    bool read_only_;
    bool can_flush_;
    FixedString<16> name_;

    SpinLock lock_; // queue_, state_, head_, failed_; shared with the interrupt handler
    Vector<State> state_;
    Array<u16, max_slots> head_{};
    bool failed_ = false;
    WaitQueue free_slots_;
    WaitQueue completions_;
};

KEEL_GLOBAL(Vector<RefPtr<VirtioBlock>>, virtio_disks);

Result<RefPtr<VirtioBlock>> create(Box<Transport> transport) {
    Transport& t = *transport;
    u64 features =
        TRY(t.begin_initialization(feature_read_only | feature_flush | feature_access_platform, 0));
    Result<u64> capacity = t.config_u64(0);
    // A capacity whose byte count overflows is no disk: the device made it up.
    if (capacity.is_error() || capacity.value() > ~u64{0} / BlockDevice::sector_size) {
        t.fail();
        return Errno::eio;
    }
    Box<Virtqueue> queue = TRY(t.setup_queue(0));
    usize slots = min(max_slots, usize{queue->size()} / 3);
    if (slots == 0) {
        log::warn("virtio-blk: {} queue of {} entries cannot hold a request", t.description(),
                  queue->size());
        t.fail();
        return Errno::eio;
    }
    Result<VirtioBlock::Parts> parts = [&]() -> Result<VirtioBlock::Parts> {
        DmaCoherent requests =
            TRY(DmaCoherent::allocate(t.dma_space(), header_bytes * max_slots + max_slots));
        Vector<DmaStream> data;
        for (usize i = 0; i < slots; ++i) {
            TRY(data.push_back(TRY(
                DmaStream::allocate(t.dma_space(), slot_data_bytes, DmaDirection::bidirectional))));
        }
        return VirtioBlock::Parts{move(transport),
                                  move(queue),
                                  move(requests),
                                  move(data),
                                  capacity.value(),
                                  (features & feature_read_only) != 0,
                                  (features & feature_flush) != 0};
    }();
    if (parts.is_error()) {
        t.fail();
        return parts.error();
    }
    usize index = virtio_disks.with([](Vector<RefPtr<VirtioBlock>>& all) { return all.size(); });
    FixedString<16> name;
    disk_name(name, "vd", index);
    // On failure the parts, transport included, are gone, and the device was reset first (the
    // queue's end quiesces it).
    RefPtr<VirtioBlock> disk = TRY(make_ref<VirtioBlock>(parts.release_value(), name.view()));
    Result<void> ready = [&]() -> Result<void> {
        TRY(disk->allocate_state());
        TRY(disk->transport().attach_interrupt(*disk));
        TRY(disk->transport().finish_initialization());
        return {};
    }();
    if (ready.is_error()) {
        disk->transport().fail();
        return ready.error();
    }
    return disk;
}

} // namespace

Result<void> bind_block(Box<Transport> transport) {
    RefPtr<VirtioBlock> disk = TRY(create(move(transport)));
    TRY(virtio_disks.with([&](Vector<RefPtr<VirtioBlock>>& all) { return all.push_back(disk); }));
    TRY(register_block_device(disk));
    u64 sectors = disk->sector_count();
    log::info("virtio-blk: {} {} sectors ({} MiB) on {}{}", disk->name(), sectors,
              sectors * BlockDevice::sector_size >> 20, disk->transport().description(),
              disk->read_only() ? StringView(" (read-only)") : StringView(""));
    return {};
}

Optional<u64> block_interrupt_count(StringView disk) {
    return virtio_disks.with([disk](Vector<RefPtr<VirtioBlock>>& all) -> Optional<u64> {
        for (RefPtr<VirtioBlock>& d : all) {
            if (d->name() == disk) {
                return d->transport().interrupt_count();
            }
        }
        return none;
    });
}

} // namespace keel::drivers::virtio
