// Raw output to the console device, for the tty layer (what user programs write to their
// terminal). "\n" goes out as "\r\n", as a Linux tty does with ONLCR.
#pragma once

#include <keel/ktl/span.h>

namespace keel::console_output {

void write(Bytes bytes);

} // namespace keel::console_output
