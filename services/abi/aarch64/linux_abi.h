// aarch64's Linux ABI facts (services/abi/syscall_name.h says what each means).
#pragma once

#include "services/abi/aarch64/syscall_names.h"
#include "services/abi/generic/syscall_names.h"

namespace keel::abi {

inline constexpr StringView uname_machine = "aarch64";
inline constexpr u16 elf_machine = 183; // EM_AARCH64
inline constexpr Span<const SyscallName> syscall_names = generic_syscall_names.span();
inline constexpr Span<const SyscallName> extra_syscall_names = aarch64_extra_syscall_names.span();
inline constexpr CloneArgs clone_args = CloneArgs::tls_then_child_tid;
inline constexpr StatLayout stat_layout = generic_stat_layout;
// Linux's arm64 uapi fcntl.h: O_DIRECTORY and O_NOFOLLOW trade bits with O_DIRECT and O_LARGEFILE
inline constexpr OpenFlagValues open_flags{0200000, 0400000, 040000, 0100000};

} // namespace keel::abi
