#include "console/console.h"

namespace keel::console {

namespace {
constinit Device* the_console = nullptr;

class ConsoleSink final : public FormatSink {
public:
    void write(StringView text) override { console::write(text); }
};
constinit ConsoleSink the_sink;
} // namespace

void install(Device& device) { the_console = &device; }
Device* current() { return the_console; }
FormatSink& sink() { return the_sink; }

void write(StringView text) {
    if (the_console == nullptr) {
        return;
    }
    for (char c : text) {
        if (c == '\n') {
            the_console->put_char('\r');
        }
        the_console->put_char(c);
    }
}

} // namespace keel::console
