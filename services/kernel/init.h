// Starting user space, as Linux's kernel_init does: the root filesystem from the initramfs
// (with /dev/console, as Linux's built-in default archive provides), then PID 1 from rdinit= or
// init= (default /init, then Linux's fallbacks) with the console as its stdin, stdout and
// stderr. PID 1's exit powers the machine off (services/proc/system.cc).
#pragma once

#include <keel/cmdline.h>

namespace keel::services {

[[noreturn]] void run_init(const CommandLine& cmdline);

} // namespace keel::services
