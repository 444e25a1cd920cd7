// x86_64's Linux ABI facts (services/abi/syscall_name.h says what each means).
#pragma once

#include "services/abi/x86_64/syscall_names.h"

namespace keel::abi {

inline constexpr StringView uname_machine = "x86_64";
inline constexpr u16 elf_machine = 62; // EM_X86_64
inline constexpr Span<const SyscallName> syscall_names = x86_64_syscall_names.span();
inline constexpr Span<const SyscallName> extra_syscall_names{};
inline constexpr CloneArgs clone_args = CloneArgs::child_tid_then_tls;
// Linux's x86_64 uapi stat.h: nlink is 8 bytes and comes before mode.
inline constexpr StatLayout stat_layout{144, 0,  8,  24, 16, 8,  28, 32,
                                        40,  48, 56, 8,  64, 72, 88, 104};
inline constexpr OpenFlagValues open_flags = generic_open_flags;

} // namespace keel::abi
