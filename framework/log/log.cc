#include <keel/clock.h>
#include <keel/log.h>

#include "console/console.h"
#include "log_internal.h"

namespace keel::log {

namespace {
constinit Level threshold = Level::Info;

// Prints "[    1.234567] " like Linux's printk time stamps.
void write_timestamp() {
    u64 ns = clock::monotonic_ns();
    u64 seconds = ns / 1000000000;
    u64 micros = (ns % 1000000000) / 1000;
    format(console::sink(), "[{:5}.{:06}] ", seconds, micros);
}
} // namespace

bool enabled(Level level) { return static_cast<u8>(level) <= static_cast<u8>(threshold); }

void begin_line(Level level) {
    write_timestamp();
    if (level == Level::Error) {
        console::write("error: ");
    } else if (level == Level::Warning) {
        console::write("warning: ");
    }
}

FormatSink& line_sink() { return console::sink(); }

void end_line() { console::write("\n"); }

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
