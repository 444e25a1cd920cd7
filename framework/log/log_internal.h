// Framework-side controls of the kernel log (keel/log.h is the public side).
#pragma once

#include <keel/cmdline.h>
#include <keel/spin_lock.h>

namespace keel::log {

// Applies `loglevel=N` (and `quiet`, which is loglevel=4) from the command line.
void init_from_command_line(const CommandLine& cmdline);

// Held for each log line; what else writes the console (user programs' terminal output) takes
// it too, so that a log line and a program's write never interleave.
SpinLock& console_lock();

} // namespace keel::log
