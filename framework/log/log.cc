#include <keel/clock.h>
#include <keel/log.h>
#include <keel/spin_lock.h>

#include "console/console.h"
#include "log/log_internal.h"
#include "log/log_ring.h"

namespace keel::log {

namespace {
constinit Level threshold = Level::Info;

// One line at a time, from any CPU or interrupt handler: lines never interleave, on the console
// or in the ring. The panic path writes to the console without it.
constinit SpinLock log_lock;
constinit u64 log_lock_saved = 0;

constexpr usize ring_bytes = 64 * 1024;
constinit Array<u8, ring_bytes> ring_storage{};
constinit LogRing ring(ring_storage.span());

// The line being printed, for the ring (the console gets it as it is formatted).
constinit FixedString<LogRing::max_line> line;

class LineSink final : public FormatSink {
public:
    void write(StringView text) override {
        console::write(text);
        line.write(text);
    }
};
constinit LineSink line_sink_instance;

// Prints "[    1.234567] " like Linux's printk time stamps.
void write_timestamp() {
    u64 ns = clock::monotonic_ns();
    u64 seconds = ns / 1000000000;
    u64 micros = (ns % 1000000000) / 1000;
    format(line_sink_instance, "[{:5}.{:06}] ", seconds, micros);
}
} // namespace

bool enabled(Level level) { return static_cast<u8>(level) <= static_cast<u8>(threshold); }

void begin_line(Level level) {
    log_lock_saved = log_lock.lock();
    line.clear();
    write_timestamp();
    if (level == Level::Error) {
        line_sink_instance.write("error: ");
    } else if (level == Level::Warning) {
        line_sink_instance.write("warning: ");
    }
}

FormatSink& line_sink() { return line_sink_instance; }

void end_line() {
    console::write("\n");
    ring.append(line.view());
    log_lock.unlock(log_lock_saved);
}

LinesRead read_lines(u64 from, Span<u8> out) {
    SpinLockGuard guard(log_lock);
    return ring.read(from, out);
}

SpinLock& console_lock() { return log_lock; }

u64 next_line_number() {
    SpinLockGuard guard(log_lock);
    return ring.next_line();
}

void init_from_command_line(const CommandLine& cmdline) {
    if (cmdline.has("quiet")) {
        threshold = Level::Warning;
    }
    if (Optional<StringView> value = cmdline.value("loglevel")) {
        if (value->size() == 1 && (*value)[0] >= '0' && (*value)[0] <= '9') {
            // Linux shows messages whose level is below loglevel.
            u8 n = static_cast<u8>((*value)[0] - '0');
            threshold = static_cast<Level>(n == 0 ? 0 : n - 1);
        }
    }
}

} // namespace keel::log
