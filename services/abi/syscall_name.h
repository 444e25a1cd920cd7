// The vocabulary of the per-arch Linux ABI tables (services/abi/<arch>/linux_abi.h, chosen by
// CMake's include path): syscall numbers by name, and the few layouts that differ by arch.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>

namespace keel::abi {

struct SyscallName {
    u16 number;
    StringView name;
};

// clone(2)'s last two arguments: x86_64 passes (child_tid, tls); arches with Linux's
// CONFIG_CLONE_BACKWARDS (riscv64, arm64) pass (tls, child_tid).
enum class CloneArgs : u8 { child_tid_then_tls, tls_then_child_tid };

// Where struct stat's fields sit (x86_64 has its own layout; riscv64 and arm64 share Linux's
// generic one). Offsets in bytes; nlink and blksize differ in width too.
struct StatLayout {
    usize size;
    usize dev, ino, mode, nlink, nlink_width, uid, gid, rdev, size_field, blksize, blksize_width,
        blocks, atime, mtime, ctime; // each time is {seconds, nanoseconds} as two 8-byte words
};

inline constexpr StatLayout generic_stat_layout{128, 0,  8,  16, 20, 4,  24, 28,
                                                32,  48, 56, 4,  64, 72, 88, 104};

// The open(2) flags whose values differ between arches (arm64 swaps four of them).
struct OpenFlagValues {
    u32 direct, largefile, directory, nofollow;
};

inline constexpr OpenFlagValues generic_open_flags{040000, 0100000, 0200000, 0400000};

} // namespace keel::abi
