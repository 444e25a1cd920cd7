// Building a program's first address space and registers (Linux's load_elf_binary and
// create_elf_tables): the ELF image copied in, an empty heap after it, and a stack holding
// argc, argv, envp and the auxiliary vector, with the strings above them.
#pragma once

#include <keel/box.h>
#include <keel/ktl/string.h>
#include <keel/user_mode.h>

#include "services/vm/address_space.h"

namespace keel::exec {

struct Program {
    Box<vm::AddressSpace> memory;
    Box<UserContext> thread;
};

// Linux's limits on what execve takes: each string (MAX_ARG_STRLEN) and all of them with
// their pointers (a quarter of the 8 MiB stack, as Linux allows by default). E2BIG beyond.
inline constexpr usize max_arg_string = 32 * page_size;
inline constexpr usize max_args_total = 2 * 1024 * 1024;
inline constexpr usize stack_size = 8 * 1024 * 1024; // RLIMIT_STACK's default

// ENOEXEC for a file that is not a loadable ELF program of this arch, E2BIG, ENOMEM.
Result<Program> load(Bytes file, StringView path, Span<const String> argv, Span<const String> envp);

} // namespace keel::exec
