// riscv64's Linux ABI facts (services/abi/syscall_name.h says what each means).
#pragma once

#include "services/abi/generic/syscall_names.h"
#include "services/abi/riscv64/syscall_names.h"

namespace keel::abi {

inline constexpr StringView uname_machine = "riscv64";
inline constexpr u16 elf_machine = 243; // EM_RISCV
inline constexpr Span<const SyscallName> syscall_names = generic_syscall_names.span();
inline constexpr Span<const SyscallName> extra_syscall_names = riscv64_extra_syscall_names.span();
inline constexpr CloneArgs clone_args = CloneArgs::tls_then_child_tid;
inline constexpr StatLayout stat_layout = generic_stat_layout;
inline constexpr OpenFlagValues open_flags = generic_open_flags;

} // namespace keel::abi
