// The kernel log: levels, a timestamp since boot, "{}" formatting (ktl/format.h).
//   keel::log::info("usable memory: {} MiB", bytes >> 20);
// Lines go to the console, whole (one line at a time from any CPU), and into the log's memory,
// which later consoles and readers copy from (read_lines). The level threshold comes from
// `loglevel=` on the command line (Linux numbering: 3 error, 4 warning, 6 info, 7 debug).
#pragma once

#include <keel/ktl/format.h>
#include <keel/ktl/span.h>

namespace keel::log {

enum class Level : u8 { Error = 3, Warning = 4, Info = 6, Debug = 7 };

bool enabled(Level level);

// The log's memory: the last 64 KiB of lines as printed (timestamp and level tag included),
// numbered in order from 0 at boot.
struct LinesRead {
    u64 next = 0;    // the number of the first line not copied: where the next read starts
    usize bytes = 0; // bytes copied to out: whole lines, each ending in '\n'
    u64 lost = 0;    // lines from `from` on that the log no longer holds (overwritten)
};
// Copies whole lines from line number `from` on into out, as many as fit. A line too long for
// out alone is copied cut to out's size, so that every read with room moves on.
LinesRead read_lines(u64 from, Span<u8> out);
// The number the next line printed gets.
u64 next_line_number();

void begin_line(Level level); // timestamp and level tag; takes the log lock
FormatSink& line_sink();      // where the message text goes
void end_line();              // newline; releases the lock

template <typename... Args>
void print(Level level, StringView fmt, const Args&... args) {
    if (!enabled(level)) {
        return;
    }
    begin_line(level);
    format(line_sink(), fmt, args...);
    end_line();
}

template <typename... Args>
void error(StringView fmt, const Args&... args) {
    print(Level::Error, fmt, args...);
}
template <typename... Args>
void warn(StringView fmt, const Args&... args) {
    print(Level::Warning, fmt, args...);
}
template <typename... Args>
void info(StringView fmt, const Args&... args) {
    print(Level::Info, fmt, args...);
}
template <typename... Args>
void debug(StringView fmt, const Args&... args) {
    print(Level::Debug, fmt, args...);
}

} // namespace keel::log
