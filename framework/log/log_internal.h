// Framework-side controls of the kernel log (keel/log.h is the public side).
#pragma once

#include <keel/cmdline.h>

namespace keel::log {

// Applies `loglevel=N` (and `quiet`, which is loglevel=4) from the command line.
void init_from_command_line(const CommandLine& cmdline);

} // namespace keel::log
