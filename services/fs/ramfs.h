// The in-memory root filesystem the initramfs unpacks into: a tree of inodes with their data on
// the kernel heap (Linux's ramfs/tmpfs, without the page cache yet). Paths resolve from the root
// with ".", ".." and symbolic links (at most 40, then ELOOP), as path_lookup does. Only the boot
// unpack changes the tree so far, before any process runs: nothing here is locked yet.
#pragma once

#include <keel/box.h>
#include <keel/ktl/string.h>
#include <keel/ktl/vector.h>

namespace keel::fs {

inline constexpr u32 mode_type_mask = 0170000;
inline constexpr u32 mode_regular = 0100000;
inline constexpr u32 mode_directory = 0040000;
inline constexpr u32 mode_symlink = 0120000;
inline constexpr u32 mode_char_device = 0020000;

class Inode;

struct DirEntry {
    String name;
    RefPtr<Inode> inode;
};

class Inode : public RefCounted<Inode> {
public:
    Inode(u64 ino, u32 mode) : ino_(ino), mode_(mode) {}
    virtual ~Inode() = default;

    u64 ino() const { return ino_; }
    u32 mode() const { return mode_; }
    u32 type() const { return mode_ & mode_type_mask; }
    bool is_directory() const { return type() == mode_directory; }
    bool is_regular() const { return type() == mode_regular; }
    bool is_symlink() const { return type() == mode_symlink; }
    u32 uid = 0;
    u32 gid = 0;
    u64 mtime = 0; // seconds since the epoch
    u64 rdev = 0;  // device nodes: Linux's new_encode_dev of major and minor

    // Regular files and symlinks: the contents (a symlink's is its target).
    Bytes data() const { return data_.span(); }
    Result<void> set_data(Bytes bytes);

    // Directories.
    Optional<RefPtr<Inode>> child(StringView name) const;
    Result<void> add_child(StringView name, RefPtr<Inode> inode); // EEXIST, ENOTDIR
    Span<const DirEntry> children() const { return children_.span(); }
    u32 link_count() const;

private:
    u64 ino_;
    u32 mode_;
    Vector<u8> data_;
    Vector<DirEntry> children_;
};

class Ramfs {
public:
    static Result<Box<Ramfs>> create();
    explicit Ramfs(RefPtr<Inode> root) : root_(move(root)) {}

    RefPtr<Inode> root() const { return root_; }

    // The inode a path names; relative paths start at the root (there is no chdir yet). The last
    // component's symlink is followed when follow_last. ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG.
    Result<RefPtr<Inode>> lookup(StringView path, bool follow_last = true) const;

    // Creates path's last component in its (existing) parent directory; EEXIST when it exists.
    Result<RefPtr<Inode>> create(StringView path, u32 mode);

    u64 next_ino() { return ++last_ino_; }

private:
    RefPtr<Inode> root_;
    u64 last_ino_ = 1;
};

} // namespace keel::fs
