// riscv64: the supervisor CSRs and fences the paging and interrupt code use. Private to
// framework/arch/riscv64.
#pragma once

#include <keel/ktl/types.h>

namespace keel::arch::riscv::csr {

inline constexpr u32 satp_mode_shift = 60;
inline constexpr u32 satp_asid_shift = 44;
inline constexpr u64 satp_asid_mask = 0xffff;
inline constexpr u64 satp_ppn_mask = (u64{1} << 44) - 1;
inline constexpr u64 sstatus_sum = u64{1} << 18; // S-mode may access U pages

inline u64 read_satp() {
    u64 value = 0;
    // SAFETY: reading satp has no side effect.
    asm volatile("csrr %0, satp" : "=r"(value));
    return value;
}

// Writes satp and reads it back (WARL: fields the hart does not implement read as they stick).
// The caller keeps the kernel mapped in the new tables and does whatever fence it needs.
inline u64 write_satp(u64 value) {
    u64 readback = 0;
    // SAFETY: the caller guarantees the tables map the running code and data; "memory" keeps
    // page-table stores before the switch.
    asm volatile("csrw satp, %1\n\tcsrr %0, satp" : "=r"(readback) : "r"(value) : "memory");
    return readback;
}

inline u64 read_sstatus() {
    u64 value = 0;
    // SAFETY: reading sstatus has no side effect.
    asm volatile("csrr %0, sstatus" : "=r"(value));
    return value;
}

// Every cached translation, global ones included, and orders earlier page-table stores.
inline void sfence_all() {
    // SAFETY: SFENCE.VMA in S-mode only drops cached translations (the next accesses walk the
    // tables again) and orders earlier page-table stores before them; it changes no mapping.
    asm volatile("sfence.vma zero, zero" ::: "memory");
}

// One page's translations in every address space, global ones included.
inline void sfence_page(uptr va) {
    // SAFETY: as sfence_all, for one page: only cached translations go.
    asm volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

// One page's non-global translations tagged asid. rs2 must be a register even when asid is 0:
// x0 would mean every ASID and the global entries too, and a plain "r" input lets the compiler
// pick x0 for a constant 0, while an in-out operand never gets x0.
inline void sfence_page_asid(uptr va, u64 asid) {
    // SAFETY: as sfence_all, for one page of one ASID: only cached translations go.
    asm volatile("sfence.vma %1, %0" : "+r"(asid) : "r"(va) : "memory");
}

// All non-global translations tagged asid (rs2 as above).
inline void sfence_asid(u64 asid) {
    // SAFETY: as sfence_all, for one ASID: only cached translations go.
    asm volatile("sfence.vma zero, %0" : "+r"(asid)::"memory");
}

// Interrupt bits, the same in sie and sip (privileged spec): software, timer, external.
inline constexpr u64 irq_ssi = u64{1} << 1;
inline constexpr u64 irq_sti = u64{1} << 5;
inline constexpr u64 irq_sei = u64{1} << 9;
inline constexpr u64 sstatus_sie = u64{1} << 1; // interrupts taken in S-mode

inline void set_sie(u64 bits) {
    // SAFETY: only enables interrupt causes; sstatus.SIE still decides whether they are taken.
    asm volatile("csrs sie, %0" ::"r"(bits) : "memory");
}

inline u64 read_sie() {
    u64 value = 0;
    // SAFETY: reading sie has no side effect.
    asm volatile("csrr %0, sie" : "=r"(value));
    return value;
}

inline u64 read_sip() {
    u64 value = 0;
    // SAFETY: reading sip has no side effect.
    asm volatile("csrr %0, sip" : "=r"(value));
    return value;
}

inline void clear_sip(u64 bits) {
    // SAFETY: only SSIP is writable from S-mode; it acknowledges a software interrupt.
    asm volatile("csrc sip, %0" ::"r"(bits) : "memory");
}

// Sstc's stimecmp (CSR 0x14d, named by number for assemblers that predate Sstc). Only after
// hart_timer.cc found that the hart has it: without it the access is an illegal instruction.
inline void write_stimecmp(u64 value) {
    // SAFETY: sets this hart's timer compare value; STIP follows time >= stimecmp.
    asm volatile("csrw 0x14d, %0" ::"r"(value) : "memory");
}

} // namespace keel::arch::riscv::csr
