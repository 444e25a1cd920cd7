// virtio-rng (virtio 1.2, 5.4): one queue of device-writable buffers the device fills with
// random bytes. What it returns is mixed into the kernel's generator at bind time and can be
// read directly (the ktests).
#include <keel/global.h>
#include <keel/log.h>
#include <keel/mutex.h>
#include <keel/random.h>
#include <keel/spin_lock.h>
#include <keel/wait_queue.h>

#include "drivers/virtio/drivers.h"

namespace keel::drivers {

namespace {

using virtio::Transport;
using virtio::Virtqueue;

constexpr usize buffer_bytes = 256;
constexpr usize boot_entropy_bytes = 64;

class VirtioRng final : public RefCounted<VirtioRng>, public IrqHandler {
public:
    VirtioRng(Box<Transport> transport, Box<Virtqueue> queue, DmaStream buffer)
        : transport_(move(transport)), queue_(move(queue)), buffer_(move(buffer)) {}
    VirtioRng(const VirtioRng&) = delete;
    VirtioRng& operator=(const VirtioRng&) = delete;
    // The device stops and its interrupt is detached before the buffer it was given is freed.
    ~VirtioRng() { transport_->shutdown(); }

    Transport& transport() { return *transport_; }

    Result<usize> read(Span<u8> out) {
        MutexGuard one_at_a_time(readers_);
        usize wanted = min(out.size(), buffer_bytes);
        if (wanted == 0) {
            return usize{0};
        }
        {
            SpinLockGuard guard(lock_);
            if (failed_) {
                return Errno::eio;
            }
            buffer_.sync_for_device();
            virtio::DmaRange s = TRY(virtio::DmaRange::of(buffer_, 0, wanted));
            Array<virtio::DmaRange, 1> writable{s};
            TRY(queue_->add({}, Span<const virtio::DmaRange>(writable.span())));
            done_ = false;
            TRY(queue_->kick());
        }
        bool answered = completions_.wait_until_for(
            [&] {
                SpinLockGuard guard(lock_);
                return done_;
            },
            answer_timeout_ns);
        usize got = 0;
        {
            SpinLockGuard guard(lock_);
            if (!answered && !done_ && !failed_) { // done_: it came just after the timeout
                // For good: the buffer stays the device's, which may still write it.
                failed_ = true;
                log::error("virtio-rng: no answer in 10 s; failing the device");
                transport_->fail();
            }
            if (failed_) {
                return Errno::eio;
            }
            got = written_;
        }
        buffer_.sync_for_cpu();
        TRY(buffer_.read(0, out.first(got)));
        return got;
    }

    void handle_irq() override {
        Result<u32> cause = transport_->acknowledge_interrupt();
        if (cause.is_error() || (cause.value() & virtio::interrupt_queue) == 0) {
            return;
        }
        bool woke = false;
        {
            SpinLockGuard guard(lock_);
            Result<Optional<virtio::UsedChain>> used = queue_->collect();
            if (used.is_error()) {
                failed_ = true;
                done_ = true;
                woke = true;
            } else if (used.value().has_value()) {
                written_ = used.value()->written;
                done_ = true;
                woke = true;
            }
        }
        if (woke) {
            completions_.wake_all();
        }
    }

private:
    Box<Transport> transport_;
    Box<Virtqueue> queue_;
    DmaStream buffer_;
    Mutex readers_;
    // A host starved of entropy may keep a request a while; never answering is a dead device.
    static constexpr u64 answer_timeout_ns = u64{10} * 1000 * 1000 * 1000;
    SpinLock lock_; // queue_, done_, written_, failed_; shared with the interrupt handler
    bool done_ = false;
    bool failed_ = false;
    usize written_ = 0;
    WaitQueue completions_;
};

KEEL_GLOBAL(Vector<RefPtr<VirtioRng>>, rngs);

Result<RefPtr<VirtioRng>> create(Box<Transport> transport) {
    Transport& t = *transport;
    TRY(t.begin_initialization(virtio::feature_access_platform, 0));
    Result<RefPtr<VirtioRng>> made = [&]() -> Result<RefPtr<VirtioRng>> {
        Box<Virtqueue> queue = TRY(t.setup_queue(0, 4));
        DmaStream buffer =
            TRY(DmaStream::allocate(t.dma_space(), buffer_bytes, DmaDirection::from_device));
        return make_ref<VirtioRng>(move(transport), move(queue), move(buffer));
    }();
    if (made.is_error()) {
        return made.error(); // the parts are gone; a queue's end reset the device first
    }
    RefPtr<VirtioRng> rng = made.release_value();
    Result<void> ready = [&]() -> Result<void> {
        TRY(rng->transport().attach_interrupt(*rng));
        return rng->transport().finish_initialization();
    }();
    if (ready.is_error()) {
        rng->transport().fail();
        return ready.error();
    }
    return rng;
}

// The first device, shared: the caller keeps it alive outside the lock.
Optional<RefPtr<VirtioRng>> first_rng() {
    return rngs.with([](Vector<RefPtr<VirtioRng>>& all) -> Optional<RefPtr<VirtioRng>> {
        if (all.empty()) {
            return none;
        }
        return all[0];
    });
}

} // namespace

namespace virtio {

Result<void> bind_entropy(Box<Transport> transport) {
    RefPtr<VirtioRng> rng = TRY(create(move(transport)));
    Array<u8, boot_entropy_bytes> seed{};
    Result<usize> got = rng->read(seed.span());
    if (got.is_error()) {
        rng->transport().fail();
        return got.error();
    }
    random::add_entropy(seed.span().first(got.value()));
    log::info("virtio-rng: {} bytes of entropy from {}", got.value(),
              rng->transport().description());
    return rngs.with([&](Vector<RefPtr<VirtioRng>>& all) { return all.push_back(move(rng)); });
}

} // namespace virtio

bool virtio_rng_present() { return first_rng().has_value(); }

Result<usize> virtio_rng_read(Span<u8> out) {
    Optional<RefPtr<VirtioRng>> rng = first_rng();
    if (!rng) {
        return Errno::enodev;
    }
    return (*rng)->read(out);
}

} // namespace keel::drivers
