// x86_64 private helpers: port I/O, CPUID, MSRs, control registers, the TSC, and the layout the
// boot code (entry.S) sets up. Only framework/arch/x86_64 includes this.
#pragma once

#include <keel/ktl/types.h>

namespace keel::x86 {

// The boot address space (entry.S).
inline constexpr uptr kernel_vma = 0xffffffff80000000;
inline constexpr uptr linear_map_base = 0xffff800000000000;
inline constexpr u64 linear_map_size = u64{4} << 30;
inline constexpr uptr fixmap_base = 0xffffffffc0000000;
inline constexpr usize fixmap_pages = 512;
inline constexpr usize page_size = 4096;

inline constexpr u32 msr_efer = 0xc0000080;
inline constexpr u64 efer_lme = u64{1} << 8;
inline constexpr u64 efer_lma = u64{1} << 10;
inline constexpr u64 efer_nxe = u64{1} << 11;

// SAFETY (port I/O): the callers own the device at the port they name (COM1, the PIT, port
// 0x61, isa-debug-exit); an access to an absent device reads all-ones and writes nothing.
inline u8 inb(u16 port) {
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outb(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0) {
    CpuidResult r;
    // SAFETY: CPUID only reads identification registers; every x86_64 CPU has it.
    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
}

inline u64 rdmsr(u32 msr) {
    u32 lo;
    u32 hi;
    // SAFETY: callers read architectural MSRs that exist on every x86_64 CPU (EFER).
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64{hi} << 32) | lo;
}

inline u64 read_cr0() {
    u64 v;
    // SAFETY: reading a control register has no side effect.
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline u64 read_cr2() {
    u64 v;
    // SAFETY: as above.
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline u64 read_cr4() {
    u64 v;
    // SAFETY: as above.
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

inline u64 rdtsc() {
    u32 lo;
    u32 hi;
    // SAFETY: RDTSC reads the time-stamp counter; CR4.TSD is clear, so it works at CPL 0.
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64{hi} << 32) | lo;
}

// The IDT whose handlers report a fault and power off (boot.cc); installed before C++ runs
// anything else.
void install_early_idt();

// The PIT (channel 2, gated through port 0x61) as a one-shot delay: returns the TSC ticks
// that `pit_ticks` of the 1.193182 MHz PIT clock took, or 0 when the PIT does not answer.
u64 tsc_ticks_over_pit(u16 pit_ticks);
inline constexpr u64 pit_hz = 1193182;

} // namespace keel::x86

namespace keel::console {
class Uart16550;
}

namespace keel::x86 {
// COM1, for the ktests; the console itself is reached through console::current().
console::Uart16550& com1();
} // namespace keel::x86
