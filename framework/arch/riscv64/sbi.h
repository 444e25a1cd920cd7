// riscv64: calls into the SBI firmware (OpenSBI) below the kernel.
#pragma once

#include <keel/ktl/types.h>

namespace keel::console {
class Device;
}

namespace keel::arch::riscv::sbi {

inline constexpr u64 ext_legacy_putchar = 0x01;
inline constexpr u64 ext_legacy_getchar = 0x02; // returns the byte, or -1, in a0
inline constexpr u64 ext_legacy_shutdown = 0x08;
inline constexpr u64 ext_system_reset = 0x53525354; // "SRST"
inline constexpr u64 ext_legacy_set_timer = 0x00;
inline constexpr u64 ext_base = 0x10;
inline constexpr u64 base_probe_extension = 3;   // value != 0 when the extension exists
inline constexpr u64 ext_time = 0x54494d45;      // "TIME"; fid 0: set_timer(stime_value)
inline constexpr u64 ext_ipi = 0x735049;         // "sPI"; fid 0: send_ipi(hart_mask, mask_base)
inline constexpr u64 ext_legacy_send_ipi = 0x04; // a0: the address of a hart mask
inline constexpr u64 ext_hsm = 0x48534d;         // "HSM"
inline constexpr u64 hsm_hart_start = 0;         // (hartid, start_addr, opaque)
inline constexpr u64 hsm_hart_get_status = 2;    // value 0 = started, 1 = stopped, ...

struct Result {
    i64 error; // 0 = success; negative SBI error codes
    i64 value;
};

inline Result call(u64 ext, u64 fid, u64 arg0 = 0, u64 arg1 = 0, u64 arg2 = 0) {
    register u64 a0 asm("a0") = arg0;
    register u64 a1 asm("a1") = arg1;
    register u64 a2 asm("a2") = arg2;
    register u64 a6 asm("a6") = fid;
    register u64 a7 asm("a7") = ext;
    // SAFETY: the SBI calling convention: arguments in a0-a2, fid in a6, extension in a7; the
    // firmware returns error/value in a0/a1 and preserves every other register.
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return {static_cast<i64>(a0), static_cast<i64>(a1)};
}

// Whether the firmware implements extension `ext` (SBI 0.2 and later; false before).
inline bool has_extension(u64 ext) {
    Result probe = call(ext_base, base_probe_extension, ext);
    return probe.error == 0 && probe.value != 0;
}

// The firmware's console (legacy putchar): slow, but there before any device is mapped.
console::Device& console();

} // namespace keel::arch::riscv::sbi
