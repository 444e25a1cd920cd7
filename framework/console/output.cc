#include <keel/console_output.h>
#include <keel/spin_lock.h>

#include "console/console.h"
#include "log/log_internal.h"

namespace keel::console_output {

void write(Bytes bytes) {
    console::Device* device = console::current();
    if (device == nullptr) {
        return;
    }
    // One writer at a time, log lines included: nothing interleaves character by character.
    SpinLockGuard guard(log::console_lock());
    for (u8 byte : bytes) {
        if (byte == '\n') {
            device->put_char('\r');
        }
        device->put_char(static_cast<char>(byte));
    }
}

} // namespace keel::console_output
