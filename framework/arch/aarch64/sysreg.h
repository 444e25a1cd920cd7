// Private to framework/arch/aarch64: reading and writing system registers by name. Each use
// still says in its own SAFETY comment why that access is sound.
#pragma once

#include <keel/ktl/types.h>

// SAFETY: MRS only copies the named register into a general register: the kernel runs at EL1,
// where every register named here is readable (a name EL1 may not read traps as undefined, it
// cannot change state); what the value is used for is the caller's to justify at each use.
#define KEEL_READ_SYSREG(reg)                                                                      \
    ({                                                                                             \
        ::keel::u64 keel_sysreg_value_;                                                            \
        asm volatile("mrs %0, " #reg : "=r"(keel_sysreg_value_));                                  \
        keel_sysreg_value_;                                                                        \
    })

// SAFETY: MSR at EL1 changes only the named register, and the ISB makes the change take effect
// before the next instruction; "memory" keeps the compiler from moving accesses across a write
// that may change how memory is translated or accessed. Each use says why its new value is sound.
#define KEEL_WRITE_SYSREG(reg, value)                                                              \
    asm volatile("msr " #reg ", %0\n\tisb" ::"r"(::keel::u64{value}) : "memory")

namespace keel::arch {

// ID_AA64MMFR0_EL1 / ID_AA64MMFR1_EL1 fields (Arm ARM D17.2).
inline u64 id_field(u64 reg, u32 shift) { return (reg >> shift) & 0xf; }
inline constexpr u32 mmfr0_parange = 0;
inline constexpr u32 mmfr0_asid_bits = 4; // 0: 8-bit ASIDs, 2: 16-bit
inline constexpr u32 mmfr1_pan = 20;      // 0: no PAN

// PAR_EL1 after an AT instruction: F (bit 0) set when the translation faulted.
inline constexpr u64 par_fault = 1;
inline constexpr u64 par_address_mask = 0x0000'ffff'ffff'f000;

// This CPU's MPIDR_EL1 affinity as Aff3.Aff2.Aff1.Aff0 in bits 31:0 (Aff3 moved down from bits
// 39:32): the form of BootInfo::boot_cpu_id and of GICv3's GICR_TYPER bits 63:32.
inline u64 this_cpu_affinity() {
    // SAFETY: reading an identification register has no side effects.
    u64 mpidr = KEEL_READ_SYSREG(mpidr_el1);
    return (mpidr & 0xffffff) | (((mpidr >> 32) & 0xff) << 24);
}

} // namespace keel::arch
