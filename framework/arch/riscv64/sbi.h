// riscv64: calls into the SBI firmware (OpenSBI) below the kernel.
#pragma once

#include <keel/ktl/types.h>

namespace keel::console {
class Device;
}

namespace keel::arch::riscv::sbi {

inline constexpr u64 ext_legacy_putchar = 0x01;
inline constexpr u64 ext_legacy_shutdown = 0x08;
inline constexpr u64 ext_system_reset = 0x53525354; // "SRST"

struct Result {
    i64 error; // 0 = success; negative SBI error codes
    i64 value;
};

inline Result call(u64 ext, u64 fid, u64 arg0 = 0, u64 arg1 = 0) {
    register u64 a0 asm("a0") = arg0;
    register u64 a1 asm("a1") = arg1;
    register u64 a6 asm("a6") = fid;
    register u64 a7 asm("a7") = ext;
    // SAFETY: the SBI calling convention: arguments in a0-a1, fid in a6, extension in a7; the
    // firmware returns error/value in a0/a1 and preserves every other register.
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    return {static_cast<i64>(a0), static_cast<i64>(a1)};
}

// The firmware's console (legacy putchar): slow, but there before any device is mapped.
console::Device& console();

} // namespace keel::arch::riscv::sbi
