#include <keel/console_output.h>
#include <keel/spin_lock.h>

#include "console/console.h"

namespace keel::console_output {

namespace {
// One writer at a time, so that two programs' writes do not interleave character by character.
constinit SpinLock output_lock;
} // namespace

void write(Bytes bytes) {
    console::Device* device = console::current();
    if (device == nullptr) {
        return;
    }
    SpinLockGuard guard(output_lock);
    for (u8 byte : bytes) {
        if (byte == '\n') {
            device->put_char('\r');
        }
        device->put_char(static_cast<char>(byte));
    }
}

} // namespace keel::console_output
