// Open files (Linux's struct file): what a file descriptor points at. Descriptors share one File
// after dup or fork, and with it the offset. Reads and writes go through kernel buffers; the
// syscall layer copies to and from user memory.
#pragma once

#include <keel/box.h>
#include <keel/ktl/vector.h>
#include <keel/spin_lock.h>

#include "services/fs/ramfs.h"

namespace keel::fs {

// What stat(2) reports, before the arch's struct stat layout is applied.
struct FileStat {
    u64 dev = 0;
    u64 ino = 0;
    u32 mode = 0;
    u32 nlink = 1;
    u32 uid = 0;
    u32 gid = 0;
    u64 rdev = 0;
    u64 size = 0;
    u64 blksize = 4096;
    u64 blocks = 0;
    u64 mtime = 0;
};

enum class Whence : u8 { set = 0, current = 1, end = 2 };

// The termios ioctls' view of a terminal (Linux's struct termios for TCGETS: the same 36-byte
// layout on x86_64, riscv64 and arm64).
inline constexpr u64 ioctl_tcgets = 0x5401;
inline constexpr u64 ioctl_tcsets = 0x5402;
inline constexpr u64 ioctl_tcsetsw = 0x5403;
inline constexpr u64 ioctl_tcsetsf = 0x5404;
inline constexpr u64 ioctl_tiocgwinsz = 0x5413;

class File : public RefCounted<File> {
public:
    virtual ~File() = default;

    // count bytes at most; 0 at end of file. Blocking files wait for at least one byte.
    virtual Result<usize> read(MutableBytes out);
    virtual Result<usize> write(Bytes in);
    virtual Result<u64> seek(i64 offset, Whence whence);
    virtual FileStat stat() const = 0;
    virtual bool is_terminal() const { return false; }

    u32 flags = 0; // the open(2) flags kept after open: access mode, O_APPEND, O_NONBLOCK
};

// The console as the process's terminal (/dev/console): reads wait for typed input, writes go
// out as they are; no line discipline yet.
class ConsoleFile final : public File {
public:
    Result<usize> read(MutableBytes out) override;
    Result<usize> write(Bytes in) override;
    FileStat stat() const override;
    bool is_terminal() const override { return true; }
};

// A ramfs file or directory opened by path.
class InodeFile final : public File {
public:
    explicit InodeFile(RefPtr<Inode> inode) : inode_(move(inode)) {}
    Result<usize> read(MutableBytes out) override;
    Result<u64> seek(i64 offset, Whence whence) override;
    FileStat stat() const override;
    const RefPtr<Inode>& inode() const { return inode_; }

private:
    RefPtr<Inode> inode_;
    SpinLock lock_; // the offset: parent and child share it after fork
    u64 offset_ = 0;
};

FileStat stat_of(const Inode& inode);

// A process's descriptor table. Descriptors are the lowest free numbers, up to max_fds.
class FdTable {
public:
    static constexpr usize max_fds = 1024; // RLIMIT_NOFILE's usual soft limit

    // The lowest free descriptor at or above lowest (F_DUPFD's argument); EMFILE when none.
    Result<i32> add(RefPtr<File> file, bool close_on_exec, usize lowest = 0);
    // file at exactly fd, closing what was there (dup2); EBADF when fd is out of range.
    Result<i32> put(i32 fd, RefPtr<File> file, bool close_on_exec);
    Result<RefPtr<File>> get(i32 fd) const; // EBADF
    Result<void> close(i32 fd);             // EBADF
    // FD_CLOEXEC, as F_GETFD and F_SETFD see it.
    Result<bool> close_on_exec(i32 fd) const;
    Result<void> set_close_on_exec(i32 fd, bool close);
    Result<FdTable> clone() const; // fork
    void close_on_exec_all();      // execve
    void close_all();

private:
    struct Slot {
        Optional<RefPtr<File>> file;
        bool close_on_exec = false;
    };
    Vector<Slot> slots_;

    Optional<usize> index_of(i32 fd) const; // an open descriptor's slot
};

} // namespace keel::fs
