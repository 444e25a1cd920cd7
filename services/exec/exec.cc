#include "services/exec/exec.h"

#include <keel/random.h>

#include "linux_abi.h"
#include "services/exec/elf.h"

namespace keel::exec {

namespace {

// Auxiliary vector keys (include/uapi/linux/auxvec.h).
enum : u64 {
    at_null = 0,
    at_phdr = 3,
    at_phent = 4,
    at_phnum = 5,
    at_pagesz = 6,
    at_base = 7,
    at_flags = 8,
    at_entry = 9,
    at_uid = 11,
    at_euid = 12,
    at_gid = 13,
    at_egid = 14,
    at_hwcap = 16,
    at_clktck = 17,
    at_secure = 23,
    at_random = 25,
    at_hwcap2 = 26,
    at_execfn = 31,
};

constexpr u64 clock_ticks = 100; // USER_HZ

// Where things go: the stack at the top of the user half (one page below, as Linux's
// STACK_TOP), mmap's search below the stack's reach and a gap, static-PIE programs at two
// thirds of the user half (ELF_ET_DYN_BASE).
uptr stack_top() { return VmSpace::user_end() - page_size; }
uptr pie_base() { return vm::page_floor(VmSpace::user_end() / 3 * 2); }
constexpr usize stack_gap = 128 * 1024 * 1024;

Perms union_of(Perms a, Perms b) { return a | b; }

// Maps one segment's pages as an area and copies its file bytes in. A first page already in
// the previous segment's area (two segments sharing a page) gets both permissions.
Result<void> map_segment(vm::AddressSpace& memory, const ElfSegment& s, Bytes file) {
    uptr first = vm::page_floor(s.vaddr);
    uptr end = TRY(vm::page_ceil(s.vaddr + s.mem_size));
    if (!memory.is_free(first, page_size)) {
        for (const vm::Area& a : memory.areas()) {
            if (a.start <= first && first < a.end) {
                TRY(memory.protect(first, page_size, union_of(a.perms, s.perms)));
                break;
            }
        }
        first += page_size;
    }
    if (first < end) {
        TRY(memory.add_area(first, end - first, s.perms));
    }
    return memory.populate(s.vaddr, file.subspan(s.file_offset, s.file_size));
}

// Copies text (and a NUL when asked) into the strings block at offset; the user address.
uptr place(Vector<u8>& block, usize& offset, uptr base, Bytes text, bool nul) {
    uptr at = base + offset;
    for (u8 byte : text) {
        block[offset++] = byte;
    }
    if (nul) {
        block[offset++] = 0;
    }
    return at;
}

Result<void> append_word(Vector<u8>& table, u64 word) {
    for (usize i = 0; i < 8; ++i) {
        TRY(table.push_back(static_cast<u8>(word >> (8 * i))));
    }
    return {};
}

Result<uptr> build_stack(vm::AddressSpace& memory, const ElfImage& image, StringView path,
                         Span<const String> argv, Span<const String> envp) {
    uptr top = stack_top();
    TRY(memory.add_area(top - stack_size, stack_size, Perms::read_write));

    for (const String& s : argv) {
        if (s.size() + 1 > max_arg_string) {
            return Errno::e2big;
        }
    }
    for (const String& s : envp) {
        if (s.size() + 1 > max_arg_string) {
            return Errno::e2big;
        }
    }
    // The strings block, upwards: 16 random bytes (AT_RANDOM), the arguments, the
    // environment, the file name (AT_EXECFN), then 8 bytes of zero below the top.
    usize total = 16 + path.size() + 1;
    for (const String& s : argv) {
        total += s.size() + 1;
    }
    for (const String& s : envp) {
        total += s.size() + 1;
    }
    if (total > max_args_total) {
        return Errno::e2big;
    }
    Vector<u8> block;
    TRY(block.resize(total));
    uptr low = top - 8 - total;
    usize offset = 0;
    Array<u8, 16> random_bytes{};
    random::fill(random_bytes.span());
    uptr random_at = place(block, offset, low, Bytes(random_bytes.span()), false);
    Vector<uptr> arg_at;
    Vector<uptr> env_at;
    for (const String& s : argv) {
        TRY(arg_at.push_back(place(block, offset, low, s.view().bytes(), true)));
    }
    for (const String& s : envp) {
        TRY(env_at.push_back(place(block, offset, low, s.view().bytes(), true)));
    }
    uptr execfn = place(block, offset, low, path.bytes(), true);

    Vector<u8> table;
    TRY(append_word(table, argv.size()));
    for (uptr at : arg_at) {
        TRY(append_word(table, at));
    }
    TRY(append_word(table, 0));
    for (uptr at : env_at) {
        TRY(append_word(table, at));
    }
    TRY(append_word(table, 0));
    const Array<u64, 38> auxv{{
        at_phdr,   image.phdr_address,
        at_phent,  image.phent,
        at_phnum,  image.phnum,
        at_pagesz, page_size,
        at_base,   0,
        at_flags,  0,
        at_entry,  image.entry,
        at_uid,    0,
        at_euid,   0,
        at_gid,    0,
        at_egid,   0,
        at_hwcap,  UserContext::hwcap(),
        at_clktck, clock_ticks,
        at_secure, 0,
        at_random, random_at,
        at_hwcap2, 0,
        at_execfn, execfn,
        at_null,   0,
        at_null,   0,
    }};
    for (u64 word : auxv.span().first(36)) {
        TRY(append_word(table, word));
    }
    if (table.size() + total > max_args_total) {
        return Errno::e2big;
    }
    uptr sp = (low - table.size()) & ~uptr{15};
    TRY(memory.populate(low, block.span()));
    TRY(memory.populate(sp, table.span()));
    return sp;
}

} // namespace

Result<Program> load(Bytes file, StringView path, Span<const String> argv,
                     Span<const String> envp) {
    ElfLimits limits{abi::elf_machine, page_size, VmSpace::user_end(), pie_base()};
    ElfImage image = TRY(parse_elf(file, limits));
    Box<vm::AddressSpace> memory = TRY(vm::AddressSpace::create());
    for (const ElfSegment& s : image.segments) {
        TRY(map_segment(*memory, s, file));
    }
    memory->brk_start = image.image_end;
    memory->brk_end = image.image_end;
    memory->mmap_base = vm::page_floor(stack_top() - stack_size - stack_gap);
    uptr sp = TRY(build_stack(*memory, image, path, argv, envp));
    Box<UserContext> thread = TRY(UserContext::create(image.entry, sp));
    return Program{move(memory), move(thread)};
}

} // namespace keel::exec
