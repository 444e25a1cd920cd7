// The initramfs unpacker and the ramfs path walk, on archives built byte by byte: directories,
// files, symlinks (relative, absolute, chained, looping), ".." at the root, trailing slashes,
// a later archive replacing a file, entries without a parent skipped, and a damaged archive
// keeping what came before the damage. ASan checks every allocation and access.
#include <gtest/gtest.h>

#include "services/fs/ramfs.h"
#include "services/initramfs/unpack.h"
#include "tests/host/cpio_builder.h"

using namespace keel;
using namespace keel::test;

namespace {

constexpr unsigned dir = 0040755;
constexpr unsigned file = 0100755;
constexpr unsigned link = 0120777;

Box<fs::Ramfs> unpacked(const std::string& archive, Errno* error = nullptr) {
    Result<Box<fs::Ramfs>> root = fs::Ramfs::create();
    EXPECT_TRUE(root.ok());
    Result<initramfs::UnpackReport> r = initramfs::unpack(bytes_of(archive), *root.value());
    if (error != nullptr) {
        *error = r.ok() ? Errno{} : r.error();
    } else {
        EXPECT_TRUE(r.ok());
    }
    return move(root.value());
}

std::string contents(const fs::Ramfs& root, const char* path) {
    Result<RefPtr<fs::Inode>> found = root.lookup(StringView::from_c_string(path));
    if (found.is_error()) {
        return std::string("error ") + text(errno_name(found.error()));
    }
    return text(found.value()->data());
}

Errno lookup_error(const fs::Ramfs& root, const char* path, bool follow = true) {
    Result<RefPtr<fs::Inode>> found = root.lookup(StringView::from_c_string(path), follow);
    return found.ok() ? Errno{} : found.error();
}

std::string tree() {
    return entry(".", dir, "") + entry("bin", dir, "") + entry("bin/busybox", file, "BB") +
           entry("bin/sh", link, "busybox") + entry("./etc", dir, "") +
           entry("/etc/motd", 0100644, "hi") + entry("init", link, "/bin/sh") +
           entry("loop1", link, "loop2") + entry("loop2", link, "loop1") +
           entry("up", link, "../../bin/busybox") + trailer();
}

TEST(Ramfs, UnpackedTreeResolvesPathsAsLinuxDoes) {
    Box<fs::Ramfs> root = unpacked(tree());
    EXPECT_EQ(contents(*root, "/bin/busybox"), "BB");
    EXPECT_EQ(contents(*root, "bin//busybox"), "BB");
    EXPECT_EQ(contents(*root, "/./etc/../etc/motd"), "hi");
    EXPECT_EQ(contents(*root, "/bin/sh"), "BB");            // relative symlink
    EXPECT_EQ(contents(*root, "/init"), "BB");              // absolute, then relative
    EXPECT_EQ(contents(*root, "/../../bin/busybox"), "BB"); // ".." stops at the root
    EXPECT_EQ(contents(*root, "/up"), "BB");
    Result<RefPtr<fs::Inode>> sh = root->lookup("/bin/sh", false);
    ASSERT_TRUE(sh.ok());
    EXPECT_TRUE(sh.value()->is_symlink());
    EXPECT_EQ(text(sh.value()->data()), "busybox");
    EXPECT_EQ(lookup_error(*root, "/loop1"), Errno::eloop);
    EXPECT_EQ(lookup_error(*root, "/nope"), Errno::enoent);
    EXPECT_EQ(lookup_error(*root, "/etc/motd/x"), Errno::enotdir);
    EXPECT_EQ(lookup_error(*root, "/etc/motd/"), Errno::enotdir);
    EXPECT_EQ(lookup_error(*root, ""), Errno::enoent);
    EXPECT_EQ(lookup_error(*root, std::string(300, 'a').c_str()), Errno::enametoolong);
    // The root's own entry ("." in the archive) is not a child of it.
    EXPECT_FALSE(root->root()->child("."));
    EXPECT_EQ(root->root()->link_count(), 4u); // ".", its parent's entry, bin, etc
}

TEST(Ramfs, LaterArchiveReplacesAFileAndKeepsDirectories) {
    std::string first = entry("bin", dir, "") + entry("bin/tool", file, "old") + trailer();
    std::string second = entry("bin", dir, "") + entry("bin/tool", file, "new!") + trailer();
    Box<fs::Ramfs> root = unpacked(first + std::string(512, '\0') + second);
    EXPECT_EQ(contents(*root, "/bin/tool"), "new!");
}

TEST(Ramfs, EntriesWithoutAParentAreSkippedNotFatal) {
    Result<Box<fs::Ramfs>> root = fs::Ramfs::create();
    ASSERT_TRUE(root.ok());
    std::string archive = entry("missing/child", file, "x") + entry("ok", file, "y") + trailer();
    Result<initramfs::UnpackReport> r = initramfs::unpack(bytes_of(archive), *root.value());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().entries, 1u);
    EXPECT_EQ(r.value().skipped, 1u);
    EXPECT_EQ(contents(*root.value(), "/ok"), "y");
}

TEST(Ramfs, DamagedArchiveKeepsWhatCameBefore) {
    std::string good = entry("a", file, "A") + entry("b", file, "B");
    std::string archive = good + entry("c", file, "C") + trailer();
    // Cut inside c's header: a and b stay, the unpack reports EINVAL.
    Errno error{};
    Box<fs::Ramfs> root = unpacked(archive.substr(0, good.size() + 50), &error);
    EXPECT_EQ(error, Errno::einval);
    EXPECT_EQ(contents(*root, "/a"), "A");
    EXPECT_EQ(contents(*root, "/b"), "B");
    EXPECT_EQ(lookup_error(*root, "/c"), Errno::enoent);
    // Every truncation of a whole tree: never a crash, never an out-of-bounds read.
    std::string whole = tree();
    for (usize cut = 0; cut <= whole.size(); ++cut) {
        Errno ignored{};
        (void)unpacked(whole.substr(0, cut), &ignored);
    }
}

TEST(Ramfs, CreateRefusesExistingNamesAndMissingParents) {
    Result<Box<fs::Ramfs>> made = fs::Ramfs::create();
    ASSERT_TRUE(made.ok());
    fs::Ramfs& root = *made.value();
    ASSERT_TRUE(root.create("/dev", fs::mode_directory | 0755).ok());
    EXPECT_EQ(root.create("/dev", fs::mode_directory | 0755).error(), Errno::eexist);
    EXPECT_EQ(root.create("/no/such", fs::mode_regular | 0644).error(), Errno::enoent);
    EXPECT_EQ(root.create("/", fs::mode_directory | 0755).error(), Errno::eexist);
    ASSERT_TRUE(root.create("/dev/console/", fs::mode_char_device | 0600).ok());
    EXPECT_TRUE(root.lookup("/dev/console").ok());
}

} // namespace
