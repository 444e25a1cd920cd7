// The ELF64 load-plan parser against files built here byte by byte: a static ET_EXEC and a
// static-PIE ET_DYN come out with their segments, entry, AT_PHDR and brk start; every malformed
// or unsupported file is ENOEXEC, and nothing is read outside the input (the host build runs
// under ASan and UBSan), for every truncation and for random damage.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "services/exec/elf.h"

using namespace keel;
using keel::exec::ElfImage;
using keel::exec::ElfLimits;
using keel::exec::ElfSegment;
using keel::exec::parse_elf;

namespace {

constexpr u32 pt_load = 1;
constexpr u32 pt_interp = 3;
constexpr u32 pt_phdr = 6;
constexpr u32 pt_gnu_stack = 0x6474e551;
constexpr u32 pf_x = 1;
constexpr u32 pf_w = 2;
constexpr u32 pf_r = 4;
constexpr u64 user_end = 0x0000800000000000; // x86-64's 47-bit lower half
constexpr u64 pie_base = 0x555555554000;     // Linux's ELF_ET_DYN_BASE on x86-64, page aligned

ElfLimits x86_limits() {
    ElfLimits limits;
    limits.machine = exec::em_x86_64;
    limits.user_start = page_size;
    limits.user_end = user_end;
    limits.pie_base = pie_base;
    return limits;
}

struct Ph {
    u32 type = pt_load;
    u32 flags = pf_r;
    u64 offset = 0;
    u64 vaddr = 0;
    u64 filesz = 0;
    u64 memsz = 0;
    u64 align = page_size;
};

Ph load(u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz) {
    return Ph{pt_load, flags, offset, vaddr, filesz, memsz, page_size};
}

Ph other(u32 type, u32 flags = 0, u64 vaddr = 0) { return Ph{type, flags, 0, vaddr, 0, 0, 8}; }

// An ELF file: the header, the program headers at phoff, then zeros up to size (the payload; the
// parser never looks at it). Fields are public so a test can damage one.
struct ElfFile {
    u8 elf_class = 2;
    u8 data = 1;
    u8 ident_version = 1;
    u16 type = 2; // ET_EXEC
    u16 machine = exec::em_x86_64;
    u32 version = 1;
    u64 entry = 0;
    u64 phoff = 64;
    u16 phentsize = 56;
    int phnum = -1; // -1: phdrs.size()
    std::vector<Ph> phdrs;
    size_t size = 0; // at least the header and the table

    std::vector<u8> bytes() const {
        size_t table_end = phoff + phdrs.size() * 56;
        std::vector<u8> out(std::max({size, size_t{64}, table_end}), 0);
        auto put = [&out](size_t at, u64 value, int width) {
            for (int i = 0; i < width; ++i) {
                out.at(at + i) = static_cast<u8>(value >> (8 * i));
            }
        };
        out[0] = 0x7f;
        out[1] = 'E';
        out[2] = 'L';
        out[3] = 'F';
        out[4] = elf_class;
        out[5] = data;
        out[6] = ident_version;
        put(16, type, 2);
        put(18, machine, 2);
        put(20, version, 4);
        put(24, entry, 8);
        put(32, phoff, 8);
        put(52, 64, 2); // e_ehsize
        put(54, phentsize, 2);
        put(56, phnum < 0 ? phdrs.size() : static_cast<u64>(phnum), 2);
        for (size_t i = 0; i < phdrs.size(); ++i) {
            size_t at = phoff + i * 56;
            put(at, phdrs[i].type, 4);
            put(at + 4, phdrs[i].flags, 4);
            put(at + 8, phdrs[i].offset, 8);
            put(at + 16, phdrs[i].vaddr, 8);
            put(at + 24, phdrs[i].vaddr, 8); // p_paddr
            put(at + 32, phdrs[i].filesz, 8);
            put(at + 40, phdrs[i].memsz, 8);
            put(at + 48, phdrs[i].align, 8);
        }
        return out;
    }
};

Result<ElfImage> parse(const std::vector<u8>& bytes, const ElfLimits& limits = x86_limits()) {
    return parse_elf(Bytes::from_raw(bytes.data(), bytes.size()), limits);
}
Result<ElfImage> parse(const ElfFile& file, const ElfLimits& limits = x86_limits()) {
    return parse(file.bytes(), limits);
}

// A static non-PIE executable as ld lays it out with -z max-page-size=4096: headers in a read-only
// first segment, text, then data + bss sharing text's last page, GNU_STACK rw. The last segment's
// file bytes end the file, so every truncation cuts into something the parser checks.
ElfFile static_exec() {
    ElfFile f;
    f.entry = 0x401100;
    f.phdrs = {
        load(pf_r, 0, 0x400000, 0x1000, 0x1000),
        load(pf_r | pf_x, 0x1000, 0x401000, 0x1800, 0x1800), // ends at 0x402800
        load(pf_r | pf_w, 0x2900, 0x402900, 0x100, 0x2000),  // starts in the same page
        other(pt_gnu_stack, pf_r | pf_w),
    };
    f.size = 0x2a00;
    return f;
}

// A static-PIE: linked at 0, PT_PHDR first, as gcc -static-pie makes it.
ElfFile static_pie() {
    ElfFile f;
    f.type = 3; // ET_DYN
    f.entry = 0x1040;
    f.phdrs = {
        other(pt_phdr, pf_r, 0x40),
        load(pf_r, 0, 0, 0x800, 0x800),
        load(pf_r | pf_x, 0x1000, 0x1000, 0x1000, 0x1000),
        load(pf_r | pf_w, 0x2000, 0x3000, 0x80, 0x1080),
        other(pt_gnu_stack, pf_r | pf_w),
    };
    f.size = 0x2080;
    return f;
}

bool refused(const ElfFile& f, const ElfLimits& limits = x86_limits()) {
    Result<ElfImage> r = parse(f, limits);
    return r.is_error() && r.error() == Errno::enoexec;
}

TEST(Elf, StaticExecutableGivesItsLoadPlan) {
    Result<ElfImage> r = parse(static_exec());
    ASSERT_TRUE(r.ok());
    const ElfImage& image = r.value();
    ASSERT_EQ(image.segments.size(), 3u);
    const ElfSegment& text = image.segments[1];
    EXPECT_EQ(text.vaddr, 0x401000u);
    EXPECT_EQ(text.file_offset, 0x1000u);
    EXPECT_EQ(text.file_size, 0x1800u);
    EXPECT_EQ(text.mem_size, 0x1800u);
    EXPECT_EQ(text.perms, Perms::read_exec);
    EXPECT_EQ(image.segments[0].perms, Perms::read);
    const ElfSegment& data = image.segments[2];
    EXPECT_EQ(data.vaddr, 0x402900u);
    EXPECT_EQ(data.file_size, 0x100u);
    EXPECT_EQ(data.mem_size, 0x2000u);
    EXPECT_EQ(data.perms, Perms::read_write);
    EXPECT_EQ(image.entry, 0x401100u);
    EXPECT_EQ(image.load_bias, 0u);
    // No PT_PHDR: the table at e_phoff 64 is inside the first segment's file bytes.
    EXPECT_EQ(image.phdr_address, 0x400040u);
    EXPECT_EQ(image.phent, 56);
    EXPECT_EQ(image.phnum, 4);
    EXPECT_EQ(image.image_end, 0x405000u); // 0x402900 + 0x2000, page aligned up
    EXPECT_FALSE(image.executable_stack);
}

TEST(Elf, PtPhdrGivesAtPhdr) {
    // The table sits past every segment's file bytes, so only PT_PHDR can say where it is mapped.
    ElfFile f = static_exec();
    f.phdrs.insert(f.phdrs.begin(), other(pt_phdr, pf_r, 0x400800));
    f.phoff = 0x2a00;
    Result<ElfImage> r = parse(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().phdr_address, 0x400800u);
    EXPECT_EQ(r.value().phnum, 5);
}

TEST(Elf, ProgramHeadersInsideALaterSegmentAreFoundThere) {
    ElfFile f = static_exec();
    f.phoff = 0x1100; // in text's file bytes, which start at offset 0x1000, vaddr 0x401000
    Result<ElfImage> r = parse(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().phdr_address, 0x401100u);
    ElfFile pie = static_pie(); // the same rule for a PIE, biased
    pie.phdrs.erase(pie.phdrs.begin());
    pie.phoff = 0x1100;
    r = parse(pie);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().phdr_address, pie_base + 0x1100);
}

TEST(Elf, NoPtPhdrAndATableOutsideEverySegmentGivesZero) {
    ElfFile f = static_exec();
    f.phoff = 0x2a00; // after the last segment's file bytes
    Result<ElfImage> r = parse(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().phdr_address, 0u);
}

TEST(Elf, PtPhdrPointingAtNothingMappedIsRefused) {
    ElfFile f = static_exec();
    f.phdrs.push_back(other(pt_phdr, pf_r, 0x300000));
    EXPECT_TRUE(refused(f));
    ElfFile straddling = static_exec(); // starts in the last segment, ends past it
    straddling.phdrs.push_back(other(pt_phdr, pf_r, 0x404900 - 56));
    EXPECT_TRUE(refused(straddling));
}

TEST(Elf, StaticPieIsBiasedEverywhere) {
    Result<ElfImage> r = parse(static_pie());
    ASSERT_TRUE(r.ok());
    const ElfImage& image = r.value();
    EXPECT_EQ(image.load_bias, pie_base);
    ASSERT_EQ(image.segments.size(), 3u);
    EXPECT_EQ(image.segments[0].vaddr, pie_base);
    EXPECT_EQ(image.segments[1].vaddr, pie_base + 0x1000);
    EXPECT_EQ(image.segments[1].file_offset, 0x1000u);
    EXPECT_EQ(image.segments[2].vaddr, pie_base + 0x3000);
    EXPECT_EQ(image.segments[2].file_offset, 0x2000u);
    EXPECT_EQ(image.entry, pie_base + 0x1040);
    EXPECT_EQ(image.phdr_address, pie_base + 0x40);
    EXPECT_EQ(image.image_end, pie_base + 0x5000);
}

TEST(Elf, PieLinkedAboveZeroMovesItsLowestPageToPieBase) {
    ElfFile f = static_pie();
    for (Ph& p : f.phdrs) {
        p.vaddr += 0x10000;
    }
    f.entry += 0x10000;
    Result<ElfImage> r = parse(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().load_bias, pie_base - 0x10000);
    EXPECT_EQ(r.value().segments[0].vaddr, pie_base);
    EXPECT_EQ(r.value().entry, pie_base + 0x1040);
    EXPECT_EQ(r.value().phdr_address, pie_base + 0x40);
}

TEST(Elf, PieThatDoesNotFitAbovePieBaseIsRefused) {
    ElfLimits limits = x86_limits();
    limits.pie_base = user_end - 0x2000; // the image needs 0x5000
    EXPECT_TRUE(refused(static_pie(), limits));
    limits.pie_base = 0; // below user_start
    EXPECT_TRUE(refused(static_pie(), limits));
    limits.pie_base = 0xfffffffffffff000; // the bias overflows
    EXPECT_TRUE(refused(static_pie(), limits));
}

TEST(Elf, GnuStackFlagsSayWhetherTheStackIsExecutable) {
    ElfFile rwx = static_exec();
    rwx.phdrs[3].flags = pf_r | pf_w | pf_x;
    ASSERT_TRUE(parse(rwx).ok());
    EXPECT_TRUE(parse(rwx).value().executable_stack);
    ElfFile absent = static_exec();
    absent.phdrs.pop_back();
    ASSERT_TRUE(parse(absent).ok());
    EXPECT_FALSE(parse(absent).value().executable_stack);
    ElfFile last_wins = rwx;
    last_wins.phdrs.push_back(other(pt_gnu_stack, pf_r | pf_w));
    ASSERT_TRUE(parse(last_wins).ok());
    EXPECT_FALSE(parse(last_wins).value().executable_stack);
}

TEST(Elf, PermsAlwaysIncludeReadWhenAnyAccessIsGiven) {
    ElfFile f = static_exec();
    f.phdrs[0].flags = 0;
    f.phdrs[1].flags = pf_x;
    f.phdrs[2].flags = pf_w;
    Result<ElfImage> r = parse(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().segments[0].perms, Perms::none);
    EXPECT_EQ(r.value().segments[1].perms, Perms::read_exec);
    EXPECT_EQ(r.value().segments[2].perms, Perms::read_write);
}

TEST(Elf, EmptySegmentsAreSkippedAndAlignZeroOrOneIsFine) {
    ElfFile f = static_exec();
    f.phdrs.insert(f.phdrs.begin() + 1, load(pf_r, 0x100, 0x12345, 0, 0)); // anywhere, memsz 0
    f.phdrs[0].align = 0;
    f.phdrs[2].align = 1;
    f.phdrs[3].align = 0x200000;
    Result<ElfImage> r = parse(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().segments.size(), 3u);
}

TEST(Elf, EveryTruncationIsRefused) {
    for (const ElfFile& f : {static_exec(), static_pie()}) {
        std::vector<u8> whole = f.bytes();
        ASSERT_TRUE(parse(whole).ok());
        for (size_t cut = 0; cut < whole.size(); ++cut) {
            // A copy of exactly cut bytes, so ASan sees any read past it.
            std::vector<u8> part(whole.begin(), whole.begin() + cut);
            Result<ElfImage> r = parse(part);
            ASSERT_TRUE(r.is_error()) << "cut at " << cut;
            EXPECT_EQ(r.error(), Errno::enoexec);
        }
    }
}

TEST(Elf, NotAnElfForThisMachineIsRefused) {
    for (int i = 0; i < 4; ++i) {
        std::vector<u8> bad_magic = static_exec().bytes();
        bad_magic[i] ^= 0x20;
        EXPECT_FALSE(parse(bad_magic).ok()) << "magic byte " << i;
    }
    ElfFile f = static_exec();
    f.elf_class = 1; // ELFCLASS32
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.data = 2; // big-endian
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.ident_version = 0;
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.version = 2;
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.machine = exec::em_aarch64;
    EXPECT_TRUE(refused(f));
    ElfLimits riscv = x86_limits();
    riscv.machine = exec::em_riscv;
    EXPECT_TRUE(refused(static_exec(), riscv));
    for (u16 type : {0, 1, 4, 0xfe00}) { // ET_NONE, ET_REL, ET_CORE, OS-specific
        f = static_exec();
        f.type = type;
        EXPECT_TRUE(refused(f)) << "type " << type;
    }
}

TEST(Elf, DynamicallyLinkedIsRefused) {
    ElfFile f = static_exec();
    f.phdrs.insert(f.phdrs.begin(), other(pt_interp, pf_r, 0x400200));
    EXPECT_TRUE(refused(f));
}

TEST(Elf, BadProgramHeaderTablesAreRefused) {
    for (u16 size : {0, 32, 55, 57, 64}) {
        ElfFile f = static_exec();
        f.phentsize = size;
        EXPECT_TRUE(refused(f)) << "phentsize " << size;
    }
    for (int n : {0, 65, 0xffff}) {
        ElfFile f = static_exec();
        f.phnum = n;
        EXPECT_TRUE(refused(f)) << "phnum " << n;
    }
    ElfFile past_eof = static_exec();
    past_eof.phoff = 0x2a00 - 100; // the table runs 124 bytes past the end
    std::vector<u8> bytes = past_eof.bytes();
    bytes.resize(0x2a00);
    EXPECT_FALSE(parse(bytes).ok());
    std::vector<u8> huge_phoff = static_exec().bytes();
    for (int i = 0; i < 8; ++i) {
        huge_phoff[32 + i] = 0xff; // e_phoff = 2^64 - 1
    }
    EXPECT_FALSE(parse(huge_phoff).ok());
}

TEST(Elf, BadSegmentSizesAreRefused) {
    ElfFile f = static_exec();
    f.phdrs[1].memsz = 0x17ff; // < filesz, whose bytes are all in the file
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.phdrs[2].filesz = 0x101; // one byte past the end of the file
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.phdrs[2].offset = 0x3900; // congruent, but a page past the end of the file
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.phdrs[2].offset = ~u64{0}; // 2^64 - 1: offset + filesz overflows
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.phdrs[2].offset = ~u64{0} - 0x6ff; // congruent with vaddr, still overflowing
    EXPECT_TRUE(refused(f));
    f = static_exec();
    f.phdrs[2].vaddr = 0xfffffffffffff900; // congruent, but vaddr + memsz overflows
    EXPECT_TRUE(refused(f));
}

TEST(Elf, SegmentsOutsideUserSpaceAreRefused) {
    ElfFile kernel_half = static_exec();
    kernel_half.phdrs[2].vaddr = 0xffff800000000900;
    EXPECT_TRUE(refused(kernel_half));
    ElfFile at_end = static_exec();
    at_end.phdrs[2].vaddr = user_end + 0x900;
    EXPECT_TRUE(refused(at_end));
    ElfFile straddling = static_exec(); // starts below user_end, its bss runs past it
    straddling.phdrs[2].vaddr = user_end - 0x1000 + 0x900;
    EXPECT_TRUE(refused(straddling));
    ElfFile last_page = static_exec(); // the same, ending exactly at user_end: fine
    last_page.phdrs[2].vaddr = user_end - 0x2000;
    last_page.phdrs[2].offset = 0x2000;
    last_page.phdrs[2].filesz = 0xa00;
    ASSERT_TRUE(parse(last_page).ok());
    EXPECT_EQ(parse(last_page).value().image_end, user_end);
    ElfFile at_zero = static_exec();
    at_zero.phdrs[0].vaddr = 0;
    EXPECT_TRUE(refused(at_zero));
    ElfFile in_page_zero = static_exec(); // vaddr 0x40 still needs page 0
    in_page_zero.phdrs[0].vaddr = 0x40;
    in_page_zero.phdrs[0].offset = 0x40;
    in_page_zero.phdrs[0].filesz = 0x100;
    in_page_zero.phdrs[0].memsz = 0x100;
    EXPECT_TRUE(refused(in_page_zero));
}

TEST(Elf, OverlappingOrDescendingSegmentsAreRefused) {
    ElfFile overlap = static_exec();
    overlap.phdrs[2].vaddr = 0x4027ff; // one byte into text's last
    overlap.phdrs[2].offset = 0x27ff;
    EXPECT_TRUE(refused(overlap));
    ElfFile touching = static_exec(); // the first byte after text: fine
    touching.phdrs[2].vaddr = 0x402800;
    touching.phdrs[2].offset = 0x2800;
    touching.phdrs[2].filesz = 0x200;
    EXPECT_TRUE(parse(touching).ok());
    ElfFile descending = static_exec();
    std::swap(descending.phdrs[1], descending.phdrs[2]);
    EXPECT_TRUE(refused(descending));
    ElfFile inside = static_exec(); // a segment inside another
    inside.phdrs.insert(inside.phdrs.begin() + 2, load(pf_r, 0x1100, 0x401100, 0x10, 0x10));
    EXPECT_TRUE(refused(inside));
}

TEST(Elf, MisalignedSegmentsAreRefused) {
    ElfFile incongruent = static_exec();
    incongruent.phdrs[2].offset = 0x2800; // vaddr 0x402900: page offsets differ
    EXPECT_TRUE(refused(incongruent));
    for (u64 align : {3, 0x1001, 0x3000}) {
        ElfFile f = static_exec();
        f.phdrs[1].align = align;
        EXPECT_TRUE(refused(f)) << "align " << align;
    }
}

TEST(Elf, EntryOutsideEveryExecutableSegmentIsRefused) {
    for (u64 entry : {0x400100, 0x402900, 0x402800, 0x3ff000, 0x500000}) {
        ElfFile f = static_exec();
        f.entry = entry; // in read-only, in data, one past text, below, above
        EXPECT_TRUE(refused(f)) << std::hex << entry;
    }
    ElfFile last_byte = static_exec();
    last_byte.entry = 0x4027ff;
    EXPECT_TRUE(parse(last_byte).ok());
    ElfFile unbiased = static_pie(); // a PIE's entry is checked before biasing
    unbiased.entry = pie_base + 0x1040;
    EXPECT_TRUE(refused(unbiased));
}

TEST(Elf, NoLoadableSegmentIsRefused) {
    ElfFile f = static_exec();
    f.phdrs = {other(pt_gnu_stack, pf_r | pf_w)};
    EXPECT_TRUE(refused(f));
    f.phdrs.push_back(load(pf_r | pf_x, 0x1000, 0x401000, 0, 0)); // empty: skipped
    EXPECT_TRUE(refused(f));
}

TEST(Elf, TooManySegmentsAreRefused) {
    // Sixteen one-page segments fit; a seventeenth does not.
    ElfFile f;
    f.entry = 0x400000;
    for (u64 i = 0; i < ElfImage::max_segments; ++i) {
        f.phdrs.push_back(load(pf_r | pf_x, i * 0x1000, 0x400000 + i * 0x1000, 0x1000, 0x1000));
    }
    f.size = ElfImage::max_segments * 0x1000;
    Result<ElfImage> r = parse(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().segments.size(), ElfImage::max_segments);
    u64 n = ElfImage::max_segments;
    f.phdrs.push_back(load(pf_r, n * 0x1000, 0x400000 + n * 0x1000, 0x1000, 0x1000));
    f.size += 0x1000;
    EXPECT_TRUE(refused(f));
}

// Random damage to the headers: every outcome is ENOEXEC or a plan that keeps the promises
// elf.h makes, and nothing is read outside the input.
TEST(Elf, RandomDamageIsRefusedOrGivesASoundPlan) {
    std::mt19937_64 rng(5);
    ElfLimits limits = x86_limits();
    for (const ElfFile& f : {static_exec(), static_pie()}) {
        std::vector<u8> whole = f.bytes();
        size_t header_bytes = 64 + f.phdrs.size() * 56;
        for (int round = 0; round < 20000; ++round) {
            std::vector<u8> damaged = whole;
            int flips = 1 + static_cast<int>(rng() % 4);
            for (int i = 0; i < flips; ++i) {
                damaged[rng() % header_bytes] = static_cast<u8>(rng());
            }
            Result<ElfImage> r = parse(damaged, limits);
            if (r.is_error()) {
                EXPECT_EQ(r.error(), Errno::enoexec);
                continue;
            }
            const ElfImage& image = r.value();
            ASSERT_FALSE(image.segments.empty());
            bool entry_ok = false;
            u64 previous_end = 0;
            for (const ElfSegment& s : image.segments) {
                EXPECT_GE(s.vaddr & ~(page_size - 1), limits.user_start);
                EXPECT_LE(s.vaddr + s.mem_size, image.image_end);
                EXPECT_GE(s.vaddr, previous_end);
                EXPECT_LE(s.file_size, s.mem_size);
                EXPECT_LE(s.file_offset + s.file_size, damaged.size());
                EXPECT_EQ((s.vaddr - s.file_offset) % page_size, 0u);
                previous_end = s.vaddr + s.mem_size;
                entry_ok |= has(s.perms, Perms::exec) && image.entry >= s.vaddr &&
                            image.entry < s.vaddr + s.mem_size;
            }
            EXPECT_TRUE(entry_ok);
            EXPECT_LE(image.image_end, limits.user_end);
            EXPECT_EQ(image.image_end % page_size, 0u);
        }
    }
}

} // namespace
