// The kernel log: levels, a timestamp since boot, "{}" formatting (ktl/format.h).
//   keel::log::info("usable memory: {} MiB", bytes >> 20);
// Lines go to the console; the level threshold comes from `loglevel=` on the command line
// (Linux numbering: 3 error, 4 warning, 6 info, 7 debug).
#pragma once

#include <keel/ktl/format.h>

namespace keel::log {

enum class Level : u8 { Error = 3, Warning = 4, Info = 6, Debug = 7 };

bool enabled(Level level);
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
