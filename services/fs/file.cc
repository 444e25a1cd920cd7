#include "services/fs/file.h"

#include <keel/console_input.h>
#include <keel/console_output.h>

namespace keel::fs {

Result<usize> File::read(MutableBytes) { return Errno::einval; }
Result<usize> File::write(Bytes) { return Errno::einval; }
Result<u64> File::seek(i64, Whence) { return Errno::espipe; }

Result<usize> ConsoleFile::read(MutableBytes out) {
    if (out.empty()) {
        return usize{0};
    }
    for (;;) {
        // A long timeout, retried: a wait with no end would be the same, but this way a lost
        // receive interrupt costs a second, not the terminal.
        Result<usize> got = console_input::read_wait(out, 1000000000);
        if (got.ok() && got.value() > 0) {
            return got.value();
        }
        if (got.is_error() && got.error() != Errno::eagain) {
            return got.error();
        }
    }
}

Result<usize> ConsoleFile::write(Bytes in) {
    console_output::write(in);
    return in.size();
}

FileStat ConsoleFile::stat() const {
    FileStat s;
    s.mode = mode_char_device | 0620;
    s.rdev = (5 << 8) | 1; // /dev/console is character device 5:1
    s.blksize = 1024;
    return s;
}

FileStat stat_of(const Inode& inode) {
    FileStat s;
    s.dev = 1;
    s.ino = inode.ino();
    s.mode = inode.mode();
    s.nlink = inode.link_count();
    s.uid = inode.uid;
    s.gid = inode.gid;
    s.rdev = inode.rdev;
    s.size = inode.is_directory() ? 0 : inode.data().size();
    s.blocks = (s.size + 511) / 512;
    s.mtime = inode.mtime;
    return s;
}

FileStat InodeFile::stat() const { return stat_of(*inode_); }

Result<usize> InodeFile::read(MutableBytes out) {
    if (inode_->is_directory()) {
        return Errno::eisdir;
    }
    SpinLockGuard guard(lock_);
    Bytes data = inode_->data();
    if (offset_ >= data.size()) {
        return usize{0};
    }
    usize count = min<usize>(out.size(), data.size() - offset_);
    for (usize i = 0; i < count; ++i) {
        out[i] = data[offset_ + i];
    }
    offset_ += count;
    return count;
}

Result<u64> InodeFile::seek(i64 offset, Whence whence) {
    SpinLockGuard guard(lock_);
    i64 base = 0;
    if (whence == Whence::current) {
        base = static_cast<i64>(offset_);
    } else if (whence == Whence::end) {
        base = static_cast<i64>(inode_->data().size());
    }
    i64 target = 0;
    if (__builtin_add_overflow(base, offset, &target)) {
        return Errno::eoverflow;
    }
    if (target < 0) {
        return Errno::einval;
    }
    offset_ = static_cast<u64>(target);
    return offset_;
}

Result<i32> FdTable::add(RefPtr<File> file, bool close_on_exec, usize lowest) {
    if (lowest >= max_fds) {
        return Errno::emfile;
    }
    for (usize fd = lowest; fd < slots_.size(); ++fd) {
        if (!slots_[fd].file) {
            slots_[fd].file = move(file);
            slots_[fd].close_on_exec = close_on_exec;
            return static_cast<i32>(fd);
        }
    }
    return put(static_cast<i32>(max(lowest, slots_.size())), move(file), close_on_exec);
}

Result<i32> FdTable::put(i32 fd, RefPtr<File> file, bool close_on_exec) {
    if (fd < 0 || static_cast<usize>(fd) >= max_fds) {
        return Errno::ebadf;
    }
    usize index = static_cast<usize>(fd);
    while (slots_.size() <= index) {
        TRY(slots_.push_back(Slot{}));
    }
    slots_[index].file = move(file);
    slots_[index].close_on_exec = close_on_exec;
    return fd;
}

Optional<usize> FdTable::index_of(i32 fd) const {
    if (fd < 0 || static_cast<usize>(fd) >= slots_.size() || !slots_[static_cast<usize>(fd)].file) {
        return none;
    }
    return static_cast<usize>(fd);
}

Result<RefPtr<File>> FdTable::get(i32 fd) const {
    Optional<usize> at = index_of(fd);
    if (!at) {
        return Errno::ebadf;
    }
    return *slots_[*at].file;
}

Result<void> FdTable::close(i32 fd) {
    Optional<usize> at = index_of(fd);
    if (!at) {
        return Errno::ebadf;
    }
    slots_[*at].file.reset();
    slots_[*at].close_on_exec = false;
    return {};
}

Result<bool> FdTable::close_on_exec(i32 fd) const {
    Optional<usize> at = index_of(fd);
    if (!at) {
        return Errno::ebadf;
    }
    return slots_[*at].close_on_exec;
}

Result<void> FdTable::set_close_on_exec(i32 fd, bool close) {
    Optional<usize> at = index_of(fd);
    if (!at) {
        return Errno::ebadf;
    }
    slots_[*at].close_on_exec = close;
    return {};
}

Result<FdTable> FdTable::clone() const {
    FdTable copy;
    TRY(copy.slots_.reserve(slots_.size()));
    for (const Slot& s : slots_) {
        TRY(copy.slots_.push_back(s));
    }
    return copy;
}

void FdTable::close_on_exec_all() {
    for (Slot& s : slots_) {
        if (s.close_on_exec) {
            s.file.reset();
            s.close_on_exec = false;
        }
    }
}

void FdTable::close_all() { slots_.clear(); }

} // namespace keel::fs
