// The console's receive path: the UART interrupt drains the device into a ring buffer here.
#include <keel/clock.h>
#include <keel/console_input.h>
#include <keel/irq.h>
#include <keel/ktl/byte_ring.h>
#include <keel/ktl/optional.h>
#include <keel/log.h>
#include <keel/timer.h>

#include "console/console.h"
#include <keel/spin_lock.h>

namespace keel {

namespace {
constexpr usize ring_size = 1024;

struct Ring {
    SpinLock lock;
    ByteRing<ring_size> bytes;
    u64 overruns = 0;
};
constinit Ring ring;

class ReceiveHandler final : public IrqHandler {
public:
    void handle_irq() override {
        console::Device* device = console::current();
        // Drain the FIFO: the line stays asserted while data waits.
        for (usize n = 0; device != nullptr && n < ring_size; ++n) {
            Optional<u8> c = device->read_char();
            if (!c) {
                break;
            }
            SpinLockGuard guard(ring.lock);
            if (!ring.bytes.push(*c)) {
                ++ring.overruns;
            }
        }
    }
};

constinit ReceiveHandler receive_handler;
constinit Optional<IrqLine> receive_line;
} // namespace

namespace console {

Result<void> enable_interrupt_input(const IrqSource& source) {
    Device* device = current();
    if (device == nullptr) {
        return Errno::enodev;
    }
    IrqLine line = TRY(IrqLine::acquire(source));
    line.attach(receive_handler);
    receive_line = move(line);
    TRY(device->set_receive_interrupt(true));
    receive_line->enable();
    log::info("console: input by interrupt on line {}", receive_line->number());
    return {};
}

} // namespace console

namespace console_input {

bool available() { return receive_line.has_value(); }

usize read(Span<u8> out) {
    SpinLockGuard guard(ring.lock);
    return ring.bytes.pop(out);
}

Result<usize> read_wait(Span<u8> out, u64 timeout_ns) {
    u64 deadline = clock::monotonic_ns() + timeout_ns;
    // Until tasks can sleep, waiting is the idle wait: a timer bounds it.
    struct Wake final : TimerCallback {
        void on_timer() override {}
    } wake;
    Timer timer;
    for (;;) {
        usize n = read(out);
        if (n > 0 || out.empty()) {
            return n;
        }
        if (clock::monotonic_ns() >= deadline) {
            return Errno::eagain;
        }
        if (!timer.armed()) {
            TRY(timer.arm(deadline, wake));
        }
        wait_for_interrupt();
    }
}

u64 overruns() {
    SpinLockGuard guard(ring.lock);
    return ring.overruns;
}

} // namespace console_input
} // namespace keel
