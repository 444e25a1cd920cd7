// ELF64 executables, as Linux's binfmt_elf loads them: a pure parser that turns a file's bytes into
// a load plan (segments, entry point, the auxv facts about the program headers, the brk start). It
// maps nothing; the caller maps the plan into an address space. Every field is checked against the
// input and the limits before it is used: a damaged or unsupported file is ENOEXEC, never a read
// outside it. Only little-endian ELFCLASS64 ET_EXEC and static-PIE ET_DYN files without PT_INTERP
// are taken (no dynamic linking yet).
#pragma once

#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/page.h>

namespace keel::exec {

// e_machine values a caller passes as ElfLimits::machine.
inline constexpr u16 em_x86_64 = 62;
inline constexpr u16 em_aarch64 = 183;
inline constexpr u16 em_riscv = 243;

// One PT_LOAD with a non-zero p_memsz, the load bias already added to vaddr. The bytes
// [file_offset, file_offset + file_size) of the file go to [vaddr, vaddr + file_size), the rest up
// to mem_size is zero. vaddr and file_offset are congruent modulo page_size, so the mapper can map
// whole pages from page_align_down(file_offset). Two segments may share a page (the end of one and
// the start of the next): their byte ranges never overlap, and the mapper merges that page.
struct ElfSegment {
    uptr vaddr = 0;            // p_vaddr + bias (not page aligned necessarily)
    u64 file_offset = 0;       // p_offset
    u64 file_size = 0;         // p_filesz
    u64 mem_size = 0;          // p_memsz (>= file_size, > 0)
    Perms perms = Perms::none; // from p_flags; read added when any of R/W/X is set
};

struct ElfImage {
    static constexpr usize max_segments = 16;
    FixedVector<ElfSegment, max_segments> segments; // ascending vaddr, byte ranges disjoint
    uptr entry = 0;                                 // e_entry + bias: inside an executable segment
    uptr load_bias = 0; // 0 for ET_EXEC; for ET_DYN pie_base - page_align_down(lowest p_vaddr),
                        // modulo 2^64 (a file linked above pie_base gets a "negative" bias)
    // AT_PHDR: PT_PHDR's vaddr + bias; without PT_PHDR the address where the program header
    // table is mapped (e_phoff inside a PT_LOAD's file range); 0 when neither (Linux would pass a
    // meaningless address then; 0 at least says "unknown" to a libc that checks).
    uptr phdr_address = 0;
    u16 phent = 0;      // AT_PHENT: e_phentsize (always 56)
    u16 phnum = 0;      // AT_PHNUM: e_phnum
    uptr image_end = 0; // highest vaddr + mem_size of any segment, page aligned up: the brk start
    bool executable_stack = false; // PT_GNU_STACK with PF_X (absent: false, as on modern Linux)
};

struct ElfLimits {
    u16 machine = 0;     // em_x86_64, em_riscv, em_aarch64: the caller passes its own
    uptr user_start = 0; // lowest mappable user address (page_size)
    uptr user_end = 0;   // one past the highest
    uptr pie_base = 0;   // where an ET_DYN's lowest page goes (page aligned)
};

// The load plan of an executable, or ENOEXEC for anything malformed or unsupported (the error
// Linux's execve gives for all of these). Every page of every segment lies inside
// [user_start, user_end).
Result<ElfImage> parse_elf(Bytes file, const ElfLimits& limits);

} // namespace keel::exec
