// Powering the machine off with a status: 0 means success. Under QEMU the status becomes the
// emulator's exit status (see boards/*/board.sh for how each machine reports it).
#pragma once

#include <keel/ktl/types.h>

namespace keel {

[[noreturn]] void power_off(int status);

} // namespace keel
