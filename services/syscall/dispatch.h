// The syscall layer: the arch's number (services/abi/<arch>/linux_abi.h) names the call, the
// name picks the handler (services/syscall/handlers.h), so one handler serves every arch. An
// unknown or unimplemented call is ENOSYS, logged once by name; `keel.strace` on the command
// line logs every call with its arguments and result.
#pragma once

#include "services/proc/process.h"

namespace keel::syscall {

// Serves the syscall that brought the process's thread back: reads the number and arguments
// from its registers and writes the result into them.
void dispatch(proc::Process& process);

// The call's name on this arch ("?" for a number Linux does not have).
StringView name_of(u64 number);

} // namespace keel::syscall
