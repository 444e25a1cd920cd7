// The bus-independent half of a virtio transport: device initialization (virtio 1.2, 3.1.1),
// feature negotiation, queue setup and configuration reads.
#include "drivers/virtio/transport.h"

#include <keel/log.h>

namespace keel::drivers::virtio {

namespace {

// A device whose configuration changes between every pair of generation reads is broken (or
// hostile); a few retries cover any real update.
constexpr int generation_retries = 16;

// A reset takes effect at once on QEMU; real devices may take a while. Reads, not time: a
// stalled emulator must not turn a working reset into a failure.
constexpr int reset_polls = 100000;

// Runs read until the generation count is the same before and after it.
template <typename T, typename Read>
Result<T> read_stable(Transport& t, usize offset, usize size, Read&& read) {
    if (offset > t.config_size() || size > t.config_size() - offset) {
        return Errno::einval;
    }
    for (int i = 0; i < generation_retries; ++i) {
        u32 before = TRY(t.config_generation());
        T value = TRY(read());
        u32 after = TRY(t.config_generation());
        if (before == after) {
            return value;
        }
    }
    log::warn("virtio: configuration of {} never settles", t.description());
    return Errno::eio;
}

} // namespace

Result<void> Transport::reset() {
    TRY(write_status(0));
    for (int i = 0; i < reset_polls; ++i) {
        if (TRY(read_status()) == 0) {
            return after_reset();
        }
    }
    return Errno::eio;
}

Result<u64> Transport::begin_initialization(u64 wanted, u64 required) {
    required |= feature_version_1;
    Result<u64> accepted = [&]() -> Result<u64> {
        TRY(reset());
        TRY(write_status(device_status::acknowledge));
        TRY(write_status(device_status::acknowledge | device_status::driver));
        u64 offered = TRY(read_device_features());
        if ((offered & required) != required) {
            log::warn("virtio: {} lacks required features {:#x} (offers {:#x})", description(),
                      required & ~offered, offered);
            return Errno::enodev;
        }
        u64 features = required | (offered & wanted);
        TRY(write_driver_features(features));
        u8 status = device_status::acknowledge | device_status::driver;
        TRY(write_status(status | device_status::features_ok));
        u8 back = TRY(read_status());
        if ((back & device_status::features_ok) == 0) {
            log::warn("virtio: {} refused features {:#x}", description(), features);
            return Errno::enodev;
        }
        return features;
    }();
    if (accepted.is_error()) {
        fail();
    }
    return accepted;
}

Result<void> Transport::finish_initialization() {
    Result<void> done = [&]() -> Result<void> {
        u8 status = TRY(read_status());
        TRY(write_status(static_cast<u8>(status | device_status::driver_ok)));
        u8 back = TRY(read_status());
        if ((back & (device_status::failed | device_status::needs_reset)) != 0) {
            return Errno::eio;
        }
        return {};
    }();
    if (done.is_error()) {
        fail();
    }
    return done;
}

void Transport::fail() {
    u8 status = read_status().value_or(0);
    (void)write_status(static_cast<u8>(status | device_status::failed));
}

void Transport::shutdown() {
    (void)reset();
    detach_interrupt();
}

Result<Box<Virtqueue>> Transport::setup_queue(u16 index, u16 limit) {
    Result<Box<Virtqueue>> queue = [&]() -> Result<Box<Virtqueue>> {
        u32 max = TRY(queue_max_size(index));
        Result<u16> size = Virtqueue::choose_size(max, limit);
        if (size.is_error()) {
            log::warn("virtio: {} queue {} has an impossible maximum size {}", description(), index,
                      max);
            return Errno::eio;
        }
        Box<Virtqueue> q = TRY(Virtqueue::create(dma_space(), index, size.value(), *this));
        TRY(enable_queue(*q));
        return q;
    }();
    if (queue.is_error()) {
        fail();
    }
    return queue;
}

Result<u8> Transport::config_u8(usize offset) {
    return read_stable<u8>(*this, offset, 1, [&]() -> Result<u8> {
        return static_cast<u8>(TRY(config_read(offset, 1)));
    });
}

Result<u16> Transport::config_u16(usize offset) {
    return read_stable<u16>(*this, offset, 2, [&]() -> Result<u16> {
        return static_cast<u16>(TRY(config_read(offset, 2)));
    });
}

Result<u32> Transport::config_u32(usize offset) {
    return read_stable<u32>(*this, offset, 4,
                            [&]() -> Result<u32> { return TRY(config_read(offset, 4)); });
}

Result<u64> Transport::config_u64(usize offset) {
    // Two 32-bit halves: only the generation count makes the pair consistent (2.4.1).
    return read_stable<u64>(*this, offset, 8, [&]() -> Result<u64> {
        u64 low = TRY(config_read(offset, 4));
        u64 high = TRY(config_read(offset + 4, 4));
        return low | (high << 32);
    });
}

} // namespace keel::drivers::virtio
