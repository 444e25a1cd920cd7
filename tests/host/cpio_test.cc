// The initramfs cpio (newc) reader against archives built here byte by byte: entries come out
// with their names, modes and data; concatenated archives and zero padding are accepted as Linux
// accepts them; every damaged header, size or name is EINVAL and nothing is read outside the
// input (the host build runs under ASan).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "services/initramfs/cpio.h"
#include "tests/host/cpio_builder.h"

using namespace keel;
using namespace keel::test;
using keel::initramfs::CpioEntry;
using keel::initramfs::CpioReader;

namespace {

// Every entry, or the error that stopped the reader.
struct Read {
    std::vector<CpioEntry> entries;
    bool failed = false;
};
Read read_all(const std::string& archive) {
    Read r;
    CpioReader reader(bytes_of(archive));
    for (int guard = 0; guard < 1000; ++guard) {
        Result<Optional<CpioEntry>> next = reader.next();
        if (next.is_error()) {
            EXPECT_EQ(next.error(), Errno::einval);
            r.failed = true;
            return r;
        }
        if (!next.value()) {
            return r;
        }
        r.entries.push_back(*next.value());
    }
    ADD_FAILURE() << "the reader never ended";
    return r;
}

TEST(Cpio, EntriesComeOutWithNamesModesAndData) {
    std::string archive = entry(".", 040755, "") + entry("init", 0100755, "#!/bin/sh\necho hi\n") +
                          entry("bin/sh", 0120777, "busybox") + trailer();
    Read r = read_all(archive);
    ASSERT_FALSE(r.failed);
    ASSERT_EQ(r.entries.size(), 3u);
    EXPECT_EQ(text(r.entries[1].name), "init");
    EXPECT_EQ(r.entries[1].mode, 0100755u);
    EXPECT_EQ(text(r.entries[1].data), "#!/bin/sh\necho hi\n");
    EXPECT_EQ(r.entries[2].mode & initramfs::mode_type_mask, initramfs::mode_symlink);
    EXPECT_EQ(text(r.entries[2].data), "busybox");
}

TEST(Cpio, ConcatenatedArchivesWithZeroPaddingAreOne) {
    std::string archive = entry("a", 0100644, "1") + trailer() + std::string(512, '\0') +
                          entry("b", 0100644, "22", "070702") + trailer() + std::string(3, '\0');
    Read r = read_all(archive);
    ASSERT_FALSE(r.failed);
    ASSERT_EQ(r.entries.size(), 2u);
    EXPECT_EQ(text(r.entries[1].name), "b");
    EXPECT_EQ(text(r.entries[1].data), "22");
}

TEST(Cpio, EmptyInputHasNoEntries) {
    Read r = read_all("");
    EXPECT_FALSE(r.failed);
    EXPECT_TRUE(r.entries.empty());
}

TEST(Cpio, AnArchiveWithoutItsTrailerIsRefused) {
    EXPECT_TRUE(read_all(entry("a", 0100644, "data")).failed);
}

TEST(Cpio, DamagedHeadersAreRefused) {
    std::string good = entry("file", 0100644, "contents") + trailer();
    std::string bad_magic = good;
    bad_magic[5] = '9';
    EXPECT_TRUE(read_all(bad_magic).failed);
    std::string bad_hex = good;
    bad_hex[6 + 8 + 3] = 'g'; // inside the mode field
    EXPECT_TRUE(read_all(bad_hex).failed);
    std::string garbage_after = good + "junk";
    EXPECT_TRUE(read_all(garbage_after).failed);
}

TEST(Cpio, SizesPastTheEndAndBadNamesAreRefused) {
    std::string big = entry("file", 0100644, "contents") + trailer();
    big.replace(6 + 6 * 8, 8, "7FFFFFFF"); // filesize
    EXPECT_TRUE(read_all(big).failed);
    std::string huge_name = entry("file", 0100644, "x") + trailer();
    huge_name.replace(6 + 11 * 8, 8, "FFFFFFFF"); // namesize
    EXPECT_TRUE(read_all(huge_name).failed);
    std::string no_name = entry("file", 0100644, "x") + trailer();
    no_name.replace(6 + 11 * 8, 8, "00000000");
    EXPECT_TRUE(read_all(no_name).failed);
    std::string no_nul = entry("file", 0100644, "x") + trailer();
    no_nul[110 + 4] = 'X'; // the name's NUL
    EXPECT_TRUE(read_all(no_nul).failed);
    std::string inner_nul = entry("fite", 0100644, "x") + trailer();
    inner_nul[110 + 2] = '\0';
    EXPECT_TRUE(read_all(inner_nul).failed);
}

TEST(Cpio, EveryTruncationIsRefusedOrReadsOnlyWhatIsThere) {
    std::string archive =
        entry("dir", 040755, "") + entry("dir/file", 0100644, "hello world") + trailer();
    for (size_t cut = 0; cut < archive.size(); ++cut) {
        std::string part = archive.substr(0, cut);
        Read r = read_all(part);
        if (cut == 0) {
            EXPECT_FALSE(r.failed);
            continue;
        }
        EXPECT_TRUE(r.failed) << "cut at " << cut;
        for (const CpioEntry& e : r.entries) {
            EXPECT_LE(e.data.data() + e.data.size(),
                      reinterpret_cast<const u8*>(part.data()) + part.size());
        }
    }
}

TEST(Cpio, AReaderStaysFailed) {
    std::string damaged = "070701zz";
    CpioReader reader(bytes_of(damaged));
    EXPECT_TRUE(reader.next().is_error());
    EXPECT_TRUE(reader.next().is_error());
}

} // namespace
