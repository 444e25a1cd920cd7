#include "services/exec/elf.h"

namespace keel::exec {

namespace {
// Sizes and values from the System V gABI (ELF-64 object file format) and <elf.h>.
constexpr usize ehdr_size = 64;
constexpr usize phdr_size = 56;
// Linux refuses a program header table over 64 KiB (and, before 5.18, over one page). Real static
// binaries have about a dozen entries; 64 is plenty and keeps the table inside one 4 KiB page.
constexpr u16 max_phnum = 64;
constexpr u8 elfclass64 = 2;
constexpr u8 elfdata2lsb = 1;
constexpr u32 ev_current = 1;
constexpr u16 et_exec = 2;
constexpr u16 et_dyn = 3;
constexpr u32 pt_load = 1;
constexpr u32 pt_interp = 3;
constexpr u32 pt_phdr = 6;
constexpr u32 pt_gnu_stack = 0x6474e551;
constexpr u32 pf_x = 1;
constexpr u32 pf_w = 2;
constexpr u32 pf_r = 4;

constexpr Errno bad = Errno::enoexec;

struct Phdr {
    u32 type = 0;
    u32 flags = 0;
    u64 offset = 0;
    u64 vaddr = 0;
    u64 filesz = 0;
    u64 memsz = 0;
    u64 align = 0;
};

Phdr read_phdr(Bytes table, usize index) {
    Bytes p = table.subspan(index * phdr_size, phdr_size);
    Phdr h;
    h.type = read_le<u32>(p, 0);
    h.flags = read_le<u32>(p, 4);
    h.offset = read_le<u64>(p, 8);
    h.vaddr = read_le<u64>(p, 16);
    // p_paddr at 24 means nothing to a user program.
    h.filesz = read_le<u64>(p, 32);
    h.memsz = read_le<u64>(p, 40);
    h.align = read_le<u64>(p, 48);
    return h;
}

// The MMUs cannot express write-only or execute-only pages, so any access implies read (Linux's
// mmap does the same on these architectures).
Perms perms_of(u32 flags) {
    Perms perms = Perms::none;
    if ((flags & pf_r) != 0) {
        perms = perms | Perms::read;
    }
    if ((flags & pf_w) != 0) {
        perms = perms | Perms::read_write;
    }
    if ((flags & pf_x) != 0) {
        perms = perms | Perms::read_exec;
    }
    return perms;
}

// [start, start + size) lies inside [outer, outer + outer_size); written so nothing overflows.
bool within(u64 start, u64 size, u64 outer, u64 outer_size) {
    return start >= outer && start - outer <= outer_size && outer_size - (start - outer) >= size;
}

// Checks one PT_LOAD and appends it (unbiased). previous_end is where the last segment ended:
// the gABI wants PT_LOADs in ascending p_vaddr order, and overlapping ones cannot be mapped.
Result<void> add_load(ElfImage& image, const Phdr& p, usize file_size, u64& previous_end) {
    if (p.filesz > p.memsz || p.offset > file_size || file_size - p.offset < p.filesz) {
        return bad;
    }
    if (p.align > 1 && !is_power_of_two(p.align)) {
        return bad;
    }
    if (p.memsz == 0) {
        return {}; // maps nothing: Linux skips it too
    }
    u64 end = 0;
    if (!checked_add(p.vaddr, p.memsz, end)) {
        return bad;
    }
    // Pages are mapped from the file, so the in-page offsets must agree (modular: may wrap).
    if (((p.vaddr - p.offset) & (page_size - 1)) != 0) {
        return bad;
    }
    if (!image.segments.empty() && p.vaddr < previous_end) {
        return bad; // descending or overlapping; sharing a page is fine
    }
    ElfSegment segment;
    segment.vaddr = p.vaddr;
    segment.file_offset = p.offset;
    segment.file_size = p.filesz;
    segment.mem_size = p.memsz;
    segment.perms = perms_of(p.flags);
    if (image.segments.push(segment).is_error()) {
        return bad; // more than max_segments
    }
    previous_end = end;
    return {};
}

bool inside_exec_segment(const ElfImage& image, u64 address) {
    for (const ElfSegment& s : image.segments) {
        if (has(s.perms, Perms::exec) && within(address, 1, s.vaddr, s.mem_size)) {
            return true;
        }
    }
    return false;
}

// AT_PHDR before biasing: PT_PHDR says where the table is, and it must be loaded (libc reads
// it to find PT_TLS); otherwise the table is found where e_phoff falls in a segment's file bytes.
Result<Optional<u64>> find_phdr(const ElfImage& image, Optional<u64> phdr_vaddr, u64 phoff,
                                u64 table_size) {
    for (const ElfSegment& s : image.segments) {
        if (phdr_vaddr && within(*phdr_vaddr, table_size, s.vaddr, s.mem_size)) {
            return phdr_vaddr;
        }
        if (!phdr_vaddr && within(phoff, table_size, s.file_offset, s.file_size)) {
            return Optional<u64>(s.vaddr + (phoff - s.file_offset));
        }
    }
    if (phdr_vaddr) {
        return bad; // a PT_PHDR pointing at nothing mapped
    }
    return Optional<u64>();
}

// address + bias, where bias moves the page of the lowest segment from low_page to base (equal
// for ET_EXEC). address >= low_page always holds for addresses inside a segment.
bool rebase(u64 address, u64 low_page, u64 base, u64& out) {
    return address >= low_page && checked_add(base, address - low_page, out);
}

// Every page of [start, end) inside [user_start, user_end), the limits taken page by page.
bool in_user_range(u64 start, u64 end, const ElfLimits& limits) {
    u64 last = 0;
    return checked_add(end, page_size - 1, last) &&
           align_down(start, page_size) >= limits.user_start &&
           align_down(last, page_size) <= limits.user_end;
}
} // namespace

Result<ElfImage> parse_elf(Bytes file, const ElfLimits& limits) {
    if (file.size() < ehdr_size || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' ||
        file[3] != 'F') {
        return bad;
    }
    // e_ident: class, data, version.
    if (file[4] != elfclass64 || file[5] != elfdata2lsb || file[6] != ev_current) {
        return bad;
    }
    u16 type = read_le<u16>(file, 16);
    if ((type != et_exec && type != et_dyn) || read_le<u16>(file, 18) != limits.machine ||
        read_le<u32>(file, 20) != ev_current) {
        return bad;
    }
    u64 entry = read_le<u64>(file, 24);
    u64 phoff = read_le<u64>(file, 32);
    u16 phentsize = read_le<u16>(file, 54);
    u16 phnum = read_le<u16>(file, 56);
    if (phentsize != phdr_size || phnum == 0 || phnum > max_phnum) {
        return bad;
    }
    usize table_size = phnum * phdr_size;
    if (phoff > file.size() || file.size() - phoff < table_size) {
        return bad;
    }
    Bytes table = file.subspan(phoff, table_size);

    ElfImage image;
    image.phent = phentsize;
    image.phnum = phnum;
    Optional<u64> phdr_vaddr;
    u64 previous_end = 0;
    for (usize i = 0; i < phnum; ++i) {
        Phdr p = read_phdr(table, i);
        if (p.type == pt_load) {
            TRY(add_load(image, p, file.size(), previous_end));
        } else if (p.type == pt_interp) {
            return bad; // needs a dynamic linker: not yet
        } else if (p.type == pt_phdr && !phdr_vaddr) {
            phdr_vaddr = p.vaddr;
        } else if (p.type == pt_gnu_stack) {
            image.executable_stack = (p.flags & pf_x) != 0; // the last one wins, as in Linux
        }
    }
    if (image.segments.empty()) {
        return bad; // no PT_LOAD with a size: nothing to run
    }
    // Linux would start the program and let it fault; an entry point that cannot run is a
    // damaged file, and refusing it here keeps that fault out of user space.
    if (!inside_exec_segment(image, entry)) {
        return bad;
    }
    Optional<u64> phdr = TRY(find_phdr(image, phdr_vaddr, phoff, table_size));

    // Biasing keeps the order (one offset for all), so the checks above still hold after it.
    u64 low_page = align_down(image.segments[0].vaddr, page_size);
    u64 base = type == et_dyn ? limits.pie_base : low_page;
    image.load_bias = base - low_page;
    u64 highest_end = 0;
    for (ElfSegment& s : image.segments) {
        u64 start = 0;
        u64 end = 0;
        if (!rebase(s.vaddr, low_page, base, start) || !checked_add(start, s.mem_size, end) ||
            !in_user_range(start, end, limits)) {
            return bad;
        }
        s.vaddr = start;
        highest_end = max(highest_end, end);
    }
    // Both lie inside a segment, which was just rebased without overflow.
    if (!rebase(entry, low_page, base, image.entry) ||
        (phdr && !rebase(*phdr, low_page, base, image.phdr_address))) {
        return bad;
    }
    image.image_end = align_up(highest_end, page_size); // <= user_end: checked page by page
    return image;
}

} // namespace keel::exec
