// x86_64 private helpers: port I/O, CPUID, MSRs, control registers, the TSC, the layout the
// boot code (entry.S) sets up, and the per-CPU pieces (features, GDT/TSS, IDT) the other files
// of this folder share. Only framework/arch/x86_64 includes this.
#pragma once

#include <keel/ktl/types.h>

#include "arch_contract.h"

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
inline constexpr u32 msr_pat = 0x277;
// The PAT's reset value: WB, WT, UC-, UC twice. PCD|PWT in a PTE selects entry 3, UC.
inline constexpr u64 pat_power_on = 0x0007'0406'0007'0406;

inline constexpr u64 cr0_pg = u64{1} << 31;
inline constexpr u64 cr0_wp = u64{1} << 16;
inline constexpr u64 cr4_pae = u64{1} << 5;
inline constexpr u64 cr4_pge = u64{1} << 7;
inline constexpr u64 cr4_pcide = u64{1} << 17;
inline constexpr u64 cr4_smep = u64{1} << 20;
inline constexpr u64 cr4_smap = u64{1} << 21;
inline constexpr u64 rflags_ac = u64{1} << 18;

// The GDT every CPU loads (cpu_tables.cc). The user segments sit where SYSCALL/SYSRET want
// them: STAR[47:32] = kernel code (SS = +8), STAR[63:48] = 0x10 (SS = +8, CS = +16).
inline constexpr u16 kernel_code_selector = 0x08;
inline constexpr u16 kernel_data_selector = 0x10;
inline constexpr u16 user_data_selector = 0x18 | 3;
inline constexpr u16 user_code_selector = 0x20 | 3;
inline constexpr u16 tss_selector = 0x28;
// The TSS's interrupt stack table slot that #DF uses (1..7; 0 means "no stack switch").
inline constexpr u8 ist_double_fault = 1;

// Port I/O of T's width (u8, u16, u32: the operand register al/ax/eax picks the instruction).
// The callers own the device at the port they name (COM1, the PIT, port 0x61, isa-debug-exit,
// the 8259s, the CMOS RTC, PCI's 0xcf8/0xcfc); an access to an absent device reads all-ones and
// writes nothing.
template <typename T>
inline T port_in(u16 port) {
    T value;
    // SAFETY: IN at CPL 0, where the kernel runs (no I/O permission check applies there), reads
    // one port into al/ax/eax and touches no memory; what the read does to its device is the
    // caller's, who owns that device.
    asm volatile("in %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
template <typename T>
inline void port_out(u16 port, T value) {
    // SAFETY: OUT at CPL 0 writes al/ax/eax to one port and touches no memory; what the write
    // does to its device is the caller's, who owns that device.
    asm volatile("out %0, %1" : : "a"(value), "Nd"(port));
}
inline u8 inb(u16 port) { return port_in<u8>(port); }
inline void outb(u16 port, u8 value) { port_out(port, value); }
inline u16 inw(u16 port) { return port_in<u16>(port); }
inline void outw(u16 port, u16 value) { port_out(port, value); }
inline u32 inl(u16 port) { return port_in<u32>(port); }
inline void outl(u16 port, u32 value) { port_out(port, value); }

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
    // SAFETY: callers read architectural MSRs that exist on every x86_64 CPU (EFER,
    // IA32_APIC_BASE).
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

inline void wrmsr(u32 msr, u64 value) {
    // SAFETY: callers write architectural MSRs (PAT, IA32_APIC_BASE's enable bit) with values
    // the SDM allows.
    asm volatile("wrmsr"
                 :
                 : "c"(msr), "a"(static_cast<u32>(value)), "d"(static_cast<u32>(value >> 32))
                 : "memory");
}

inline u64 read_cr3() {
    u64 v;
    // SAFETY: reading a control register has no side effect.
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
// The callers keep what is running mapped across the write (paging.cc, cpu_features.cc,
// user_mode.cc); the "memory" clobber keeps every access on its side of the switch.
inline void write_cr3(u64 v) {
    // SAFETY: MOV to CR3 at CPL 0 loads a new root: callers pass a root whose kernel half maps
    // the running code, stacks and data as the old one did (kernel_space's root or a user root
    // sharing its kernel half), so execution carries on; the TLB flush it implies is wanted.
    asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
inline void write_cr4(u64 v) {
    // SAFETY: MOV to CR4 at CPL 0: callers change only feature bits the CPU reported (PGE,
    // SMEP, SMAP, PCIDE with CR3's PCID 0, OSFXSR, OSXMMEXCPT, FSGSBASE, OSXSAVE), none of which
    // changes a translation the running code uses.
    asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

inline u64 read_rflags() {
    u64 v;
    // SAFETY: pushes and pops one word: the stack is balanced.
    asm volatile("pushfq; popq %0" : "=r"(v));
    return v;
}

inline u64 rdtsc() {
    u32 lo;
    u32 hi;
    // SAFETY: RDTSC reads the time-stamp counter; CR4.TSD is clear, so it works at CPL 0.
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64{hi} << 32) | lo;
}

// What this CPU offers, probed once at boot (cpu_features.cc).
struct Features {
    bool nx = false;        // CPUID 80000001H:EDX[20]
    bool gigapages = false; // CPUID 80000001H:EDX[26]
    bool pge = false;       // CPUID 1:EDX[13]
    bool pat = false;       // CPUID 1:EDX[16]
    bool pcid = false;      // CPUID 1:ECX[17]
    bool smep = false;      // CPUID 7.0:EBX[7]
    bool smap = false;      // CPUID 7.0:EBX[20]
    bool fsgsbase = false;  // CPUID 7.0:EBX[0]
    bool xsave = false;     // CPUID 1:ECX[26]
    u32 phys_bits = 36;     // CPUID 80000008H:EAX[7:0]
};
const Features& features();
// Probes the features and turns on what Keel uses: CR4.PGE, CR4.SMEP, CR4.SMAP, CR4.PCIDE, and
// the reset-value PAT. Runs before anything else in C++ (boot.cc).
void init_cpu_features();
// The same control bits on a secondary CPU, from the boot CPU's probe (smp.cc).
void enable_cpu_features();

// Loads this CPU's GDT (higher half), reloads the segment registers (GS keeps its per-CPU base)
// and the TSS with its emergency stack (cpu_tables.cc): the boot CPU's is in the image, a
// secondary CPU's is the guarded stack smp.cc allocated.
void init_cpu_tables(VirtRange emergency = {});
// The emergency stack of this CPU: #DF runs on it (IST), and fatal kernel faults are reported
// on it, so a report never needs the stack that failed.
VirtRange emergency_stack();

// The IDT whose handlers decode and report faults (traps.cc); installed right after the GDT.
// Built once by the boot CPU; load_idt loads the same table on a secondary CPU.
void install_idt();
void load_idt();

// A secondary CPU's paging: CR3 = the kernel root with PCID 0, TLB flushed, its per-CPU paging
// state reset (paging.cc).
void load_kernel_root(u64 root_phys);

// SMP (smp.cc): the APIC id of CPU index cpu.
u32 apic_id_of(u32 cpu);

// What entry.S's stubs leave on the stack: the general registers, vector and error code (0
// when the CPU pushes none), then the CPU's own frame. A trap from user mode builds the same
// (user_entry.S; a SYSCALL under the pseudo-vector 0x100).
struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector;
    u64 error_code;
    u64 rip;
    u64 cs;
    u64 rflags;
    u64 rsp;
    u64 ss;
};

// The address of this CPU's TSS rsp0 (cpu_tables.cc): where enter_user records its stack.
uptr tss_rsp0_address();

// User mode on this CPU (user_mode.cc): FXSAVE/SSE enabled in CR0/CR4 (XSAVE's XCR0 = x87|SSE
// when present, FSGSBASE when present), and SYSCALL's MSRs. Called from enable_cpu_features.
void enable_user_mode_cpu();

// A kernel fault at rip inside a user copy: where to resume (user_mode.cc), or 0.
uptr user_copy_fixup(uptr rip);

// An interrupt (vector 0x20 and up) taken through the IDT: the controller's line, the timer,
// or the local APIC's own vectors (interrupts.cc). Returns to the interrupted context.
void handle_interrupt(u64 vector);

// The PIT (channel 2, gated through port 0x61) as a one-shot delay: the TSC ticks that
// `pit_ticks` of the 1.193182 MHz PIT clock took. Every port access is bracketed by TSC reads,
// as Linux's PIT calibration does: a run whose start or end is known only within more than
// 1/max_pit_uncertainty of it (the emulator stalled in a port access) is no measurement.
struct PitRun {
    u64 ticks = 0;       // 0: the PIT did not answer
    u64 uncertainty = 0; // TSC ticks the start and end may each be off, added up
    bool trustworthy() const { return ticks != 0 && uncertainty * max_uncertainty < ticks; }
    static constexpr u64 max_uncertainty = 50;
};
PitRun tsc_ticks_over_pit(u16 pit_ticks);
// Up to `tries` runs of pit_ticks: the median of the first three trustworthy ones, or the
// median of all when fewer were; 0 when the PIT never answered.
u64 measure_tsc_over_pit(u16 pit_ticks, u32 tries);
inline constexpr u64 pit_hz = 1193182;

} // namespace keel::x86

namespace keel::console {
class Uart16550;
}

namespace keel::x86 {
// COM1, for the ktests; the console itself is reached through console::current().
console::Uart16550& com1();
} // namespace keel::x86
