// virtio-console (virtio 1.2, 5.3), port 0 only (VIRTIO_CONSOLE_F_MULTIPORT is not taken):
// queue 0 receives (device-writable buffers kept posted), queue 1 transmits (device-readable).
// What arrives is kept in a bounded buffer until read; writes wait for the device to take them.
// With `console=hvc0` on the command line (Linux's name for this port) the kernel log goes to
// the port too, from the boot's first line.
#include <keel/cmdline.h>
#include <keel/global.h>
#include <keel/ktl/byte_ring.h>
#include <keel/log.h>
#include <keel/mutex.h>
#include <keel/power.h>
#include <keel/spin_lock.h>
#include <keel/task.h>
#include <keel/wait_queue.h>

#include "drivers/virtio/drivers.h"

namespace keel::drivers {

namespace {

using virtio::DmaRange;
using virtio::Transport;
using virtio::UsedChain;
using virtio::Virtqueue;

constexpr u16 receive_queue = 0;
constexpr u16 transmit_queue = 1;
constexpr usize receive_buffers = 4;
constexpr usize chunk_bytes = 512; // one receive buffer, one transmit piece
constexpr usize max_pending_input = 4096;

class VirtioConsole final : public RefCounted<VirtioConsole>, public IrqHandler {
public:
    VirtioConsole(Box<Transport> transport, Box<Virtqueue> rx, Box<Virtqueue> tx,
                  DmaStream rx_memory, DmaStream tx_memory)
        : transport_(move(transport)), rx_(move(rx)), tx_(move(tx)), rx_memory_(move(rx_memory)),
          tx_memory_(move(tx_memory)) {}
    VirtioConsole(const VirtioConsole&) = delete;
    VirtioConsole& operator=(const VirtioConsole&) = delete;
    // The device stops and its interrupt is detached before the buffers it was given are freed.
    ~VirtioConsole() { transport_->shutdown(); }

    Transport& transport() { return *transport_; }

    // Posts every receive buffer; before DRIVER_OK, so no interrupt races with it.
    Result<void> post_receive_buffers() {
        SpinLockGuard guard(lock_);
        for (usize i = 0; i < receive_buffers; ++i) {
            TRY(post(i));
        }
        return {};
    }

    // After DRIVER_OK: the device may not be notified before (virtio 1.2, 3.1.1).
    Result<void> start_receiving() {
        SpinLockGuard guard(lock_);
        return rx_->kick();
    }

    Result<void> write(Span<const u8> bytes) {
        MutexGuard one_at_a_time(writers_);
        for (usize done = 0; done < bytes.size(); done += chunk_bytes) {
            usize n = min(chunk_bytes, bytes.size() - done);
            {
                // A failed device may still be reading the buffer: leave it alone.
                SpinLockGuard guard(lock_);
                if (failed_) {
                    return Errno::eio;
                }
            }
            TRY(tx_memory_.write(0, bytes.subspan(done, n)));
            {
                SpinLockGuard guard(lock_);
                if (failed_) {
                    return Errno::eio;
                }
                tx_memory_.sync_for_device();
                Array<DmaRange, 1> readable{TRY(DmaRange::of(tx_memory_, 0, n))};
                TRY(tx_->add(Span<const DmaRange>(readable.span()), {}));
                sent_ = false;
                TRY(tx_->kick());
            }
            bool sent = transmitted_.wait_until_for(
                [&] {
                    SpinLockGuard guard(lock_);
                    return sent_;
                },
                transmit_timeout_ns);
            SpinLockGuard guard(lock_);
            if (!sent && !sent_ && !failed_) { // sent_: it came just after the timeout
                // For good: the buffer stays the device's, which may still read it.
                failed_ = true;
                log::error("virtio-console: a write was not taken in 10 s; failing the device");
                transport_->fail();
            }
            if (failed_) {
                return Errno::eio;
            }
        }
        return {};
    }

    usize read(Span<u8> out) {
        SpinLockGuard guard(lock_);
        return input_.pop(out);
    }

    void handle_irq() override {
        Result<u32> cause = transport_->acknowledge_interrupt();
        if (cause.is_error() || (cause.value() & virtio::interrupt_queue) == 0) {
            return;
        }
        bool wake = false;
        {
            SpinLockGuard guard(lock_);
            if (drain_receive().is_error() || drain_transmit(wake).is_error()) {
                failed_ = true;
                wake = true;
            }
        }
        if (wake) {
            transmitted_.wake_all();
        }
    }

private:
    Result<void> post(usize buffer) {
        Array<DmaRange, 1> writable{
            TRY(DmaRange::of(rx_memory_, chunk_bytes * buffer, chunk_bytes))};
        u16 head = TRY(rx_->add({}, Span<const DmaRange>(writable.span())));
        rx_heads_[buffer] = head;
        return {};
    }

    Result<void> drain_receive() {
        bool reposted = false;
        for (;;) {
            Optional<UsedChain> used = TRY(rx_->collect());
            if (!used) {
                break;
            }
            usize buffer = receive_buffers;
            for (usize i = 0; i < receive_buffers; ++i) {
                buffer = rx_heads_[i] == used->head ? i : buffer;
            }
            if (buffer == receive_buffers) {
                return Errno::eio;
            }
            rx_memory_.sync_for_cpu();
            Array<u8, chunk_bytes> bytes{};
            Span<u8> got = bytes.span().first(used->written);
            TRY(rx_memory_.read(chunk_bytes * buffer, got));
            for (u8 b : got) {
                (void)input_.push(b); // beyond the bound, input is dropped
            }
            TRY(post(buffer));
            reposted = true;
        }
        if (reposted) {
            TRY(rx_->kick());
        }
        return {};
    }

    Result<void> drain_transmit(bool& wake) {
        for (;;) {
            Optional<UsedChain> used = TRY(tx_->collect());
            if (!used) {
                return {};
            }
            sent_ = true;
            wake = true;
        }
    }

    Box<Transport> transport_;
    Box<Virtqueue> rx_;
    Box<Virtqueue> tx_;
    DmaStream rx_memory_; // receive_buffers of chunk_bytes
    DmaStream tx_memory_;
    Mutex writers_;
    static constexpr u64 transmit_timeout_ns = u64{10} * 1000 * 1000 * 1000;
    SpinLock lock_; // the queues, rx_heads_, input_, sent_, failed_; shared with the handler
    Array<u16, receive_buffers> rx_heads_{};
    ByteRing<max_pending_input> input_; // no allocation in the interrupt handler
    bool sent_ = false;
    bool failed_ = false;
    WaitQueue transmitted_;
};

KEEL_GLOBAL(Vector<RefPtr<VirtioConsole>>, consoles);

// `console=hvc0` among the command line's words (there may be several console= words).
bool is_log_console() {
    bool named = false;
    command_line().for_each([&](const CommandLine::Word& w) {
        named = named || (w.key == "console" && w.value && *w.value == "hvc0");
    });
    return named;
}

// The log console (console=hvc0): copies the kernel log to the port from line 0 - the log's
// memory holds what came before the device, as Linux replays its buffer to a late console. A
// task polls for new lines: a log line may be printed with any lock held, in an interrupt
// handler or the scheduler itself, where waking a task is not safe. At power-off the last lines
// are copied before the machine goes.
class LogConsole final : public PowerOffHook, public RefCounted<LogConsole> {
public:
    explicit LogConsole(RefPtr<VirtioConsole> console) : console_(move(console)) {}

    // Until the device fails.
    void run() {
        constexpr u64 poll_ns = 20 * 1000 * 1000;
        while (copy_new_lines()) {
            this_task::sleep_for(poll_ns);
        }
    }

    void before_power_off() override { (void)copy_new_lines(); }

private:
    // Copies what the log printed since the last copy; false once the device failed.
    bool copy_new_lines() {
        MutexGuard one_copier(copying_);
        Array<u8, chunk_bytes> lines{};
        Array<u8, 2 * chunk_bytes + 64> out{}; // every line doubled at worst, and the note
        for (;;) {
            log::LinesRead read = log::read_lines(next_, lines.span());
            usize n = 0;
            if (read.lost != 0) {
                FixedString<64> note;
                format(note, "[{} log lines lost]\n", read.lost);
                for (char c : note.view()) {
                    out[n++] = static_cast<u8>(c);
                }
            }
            if (n == 0 && read.bytes == 0) {
                return true;
            }
            // What a terminal wants, as the serial console writes it: "\r\n".
            for (u8 b : lines.span().first(read.bytes)) {
                if (b == '\n') {
                    out[n++] = '\r';
                }
                out[n++] = b;
            }
            if (console_->write(out.span().first(n)).is_error()) {
                return false;
            }
            next_ = read.next;
        }
    }

    RefPtr<VirtioConsole> console_;
    Mutex copying_; // the task and the power-off hook
    u64 next_ = 0;  // the first log line not copied yet
};

KEEL_GLOBAL(Optional<RefPtr<LogConsole>>, the_log_console);

Result<RefPtr<VirtioConsole>> create(Box<Transport> transport) {
    Transport& t = *transport;
    TRY(t.begin_initialization(virtio::feature_access_platform, 0));
    Result<RefPtr<VirtioConsole>> made = [&]() -> Result<RefPtr<VirtioConsole>> {
        Box<Virtqueue> rx = TRY(t.setup_queue(receive_queue, 8));
        Box<Virtqueue> tx = TRY(t.setup_queue(transmit_queue, 8));
        DmaStream rx_memory = TRY(DmaStream::allocate(t.dma_space(), chunk_bytes * receive_buffers,
                                                      DmaDirection::from_device));
        DmaStream tx_memory =
            TRY(DmaStream::allocate(t.dma_space(), chunk_bytes, DmaDirection::to_device));
        return make_ref<VirtioConsole>(move(transport), move(rx), move(tx), move(rx_memory),
                                       move(tx_memory));
    }();
    if (made.is_error()) {
        return made.error();
    }
    RefPtr<VirtioConsole> console = made.release_value();
    Result<void> ready = [&]() -> Result<void> {
        TRY(console->post_receive_buffers());
        TRY(console->transport().attach_interrupt(*console));
        TRY(console->transport().finish_initialization());
        return console->start_receiving();
    }();
    if (ready.is_error()) {
        console->transport().fail();
        return ready.error();
    }
    return console;
}

// The first device, shared: the caller keeps it alive outside the lock.
Optional<RefPtr<VirtioConsole>> first_console() {
    return consoles.with([](Vector<RefPtr<VirtioConsole>>& all) -> Optional<RefPtr<VirtioConsole>> {
        if (all.empty()) {
            return none;
        }
        return all[0];
    });
}

} // namespace

namespace virtio {

Result<void> bind_console(Box<Transport> transport) {
    RefPtr<VirtioConsole> console = TRY(create(move(transport)));
    bool hvc0 = is_log_console() && !virtio_console_present();
    log::info("virtio-console: port 0 on {}{}", console->transport().description(),
              hvc0 ? StringView(" (hvc0: the kernel log goes there too)") : StringView(""));
    if (hvc0) {
        // Kept for good (the power-off hook needs it to); the copier task holds its own reference.
        RefPtr<LogConsole> copier = TRY(make_ref<LogConsole>(console));
        the_log_console.with([&](Optional<RefPtr<LogConsole>>& slot) { slot = copier; });
        TRY(add_power_off_hook(*copier));
        TRY(spawn("hvc0 log", [copier]() { copier->run(); }));
    }
    return consoles.with(
        [&](Vector<RefPtr<VirtioConsole>>& all) { return all.push_back(move(console)); });
}

} // namespace virtio

bool virtio_console_present() { return first_console().has_value(); }

Result<void> virtio_console_write(Span<const u8> bytes) {
    Optional<RefPtr<VirtioConsole>> console = first_console();
    if (!console) {
        return Errno::enodev;
    }
    return (*console)->write(bytes);
}

usize virtio_console_read(Span<u8> out) {
    Optional<RefPtr<VirtioConsole>> console = first_console();
    return console ? (*console)->read(out) : 0;
}

} // namespace keel::drivers
