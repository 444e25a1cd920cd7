// read, write and friends; open, close, stat, readlink; dup and fcntl; the terminal ioctls.
#include "linux_abi.h"
#include "services/proc/system.h"
#include "services/proc/user_memory.h"
#include "services/syscall/handlers.h"

namespace keel::syscall {

namespace {

constexpr i32 at_fdcwd = -100;
constexpr u64 at_symlink_nofollow = 0x100;
constexpr u64 at_empty_path = 0x1000;
constexpr u32 o_accmode = 3;
constexpr u32 o_rdonly = 0;
constexpr u32 o_creat = 0100;
constexpr u32 o_excl = 0200;
constexpr u32 o_trunc = 01000;
constexpr u32 o_cloexec = 02000000;
constexpr u32 o_append = 02000;
constexpr u32 o_nonblock = 04000;
constexpr u32 o_async = 020000;
constexpr u32 o_noatime = 01000000;
constexpr usize max_io_chunk = 64 * 1024; // bytes moved per kernel buffer
constexpr usize iov_max = 1024;           // UIO_MAXIOV
constexpr usize path_max = 4096;

proc::UserMemory user(proc::Process& p) { return proc::UserMemory(p.mm()); }

// read(2) through a kernel buffer, in chunks; a short read ends it.
Result<u64> read_into(proc::Process& p, fs::File& file, uptr buffer, usize count) {
    Vector<u8> chunk;
    TRY(chunk.resize(min(count, max_io_chunk)));
    usize done = 0;
    while (done < count) {
        usize want = min(count - done, chunk.size());
        usize got = TRY(file.read(chunk.span().first(want)));
        if (got > 0) {
            Result<void> copied = user(p).write(buffer + done, Bytes(chunk.span()).first(got));
            if (copied.is_error()) {
                return done > 0 ? Result<u64>(done) : copied.error();
            }
        }
        done += got;
        if (got < want || file.is_terminal()) {
            break;
        }
    }
    return done;
}

Result<u64> write_from(proc::Process& p, fs::File& file, uptr buffer, usize count) {
    Vector<u8> chunk;
    TRY(chunk.resize(min(count, max_io_chunk)));
    usize done = 0;
    while (done < count) {
        usize want = min(count - done, chunk.size());
        Result<void> copied = user(p).read(chunk.span().first(want), buffer + done);
        if (copied.is_error()) {
            return done > 0 ? Result<u64>(done) : copied.error();
        }
        usize put = TRY(file.write(Bytes(chunk.span()).first(want)));
        done += put;
        if (put < want) {
            break;
        }
    }
    return done;
}

Result<RefPtr<fs::File>> readable(proc::Process& p, i32 fd) {
    RefPtr<fs::File> file = TRY(p.files.get(fd));
    if ((file->flags & o_accmode) == 1) {
        return Errno::ebadf; // opened write-only
    }
    return file;
}

Result<RefPtr<fs::File>> writable(proc::Process& p, i32 fd) {
    RefPtr<fs::File> file = TRY(p.files.get(fd));
    if ((file->flags & o_accmode) == o_rdonly) {
        return Errno::ebadf;
    }
    return file;
}

// The iovec array of readv/writev: (base, length) pairs.
template <typename Each>
Result<u64> each_iovec(proc::Process& p, uptr iov, u64 count, Each&& each) {
    if (count > iov_max) {
        return Errno::einval;
    }
    u64 total = 0;
    for (u64 i = 0; i < count; ++i) {
        uptr base = TRY(user(p).read_value<u64>(iov + i * 16));
        u64 length = TRY(user(p).read_value<u64>(iov + i * 16 + 8));
        if (static_cast<i64>(length) < 0) {
            return Errno::einval;
        }
        if (length == 0) {
            continue;
        }
        Result<u64> moved = each(base, length);
        if (moved.is_error()) {
            return total > 0 ? Result<u64>(total) : moved;
        }
        total += moved.value();
        if (moved.value() < length) {
            break;
        }
    }
    return total;
}

Result<String> path_arg(proc::Process& p, uptr address) {
    String path = TRY(user(p).read_string(address, path_max - 1));
    if (path.empty()) {
        return Errno::enoent;
    }
    return path;
}

// Paths relative to a directory descriptor other than the cwd are not supported yet: every
// process's cwd is the root.
Result<void> check_dirfd(proc::Process& p, i32 dirfd, StringView path) {
    if (dirfd == at_fdcwd || (!path.empty() && path[0] == '/')) {
        return {};
    }
    TRY(p.files.get(dirfd));
    return Errno::enotdir;
}

Result<u64> open_path(proc::Process& p, i32 dirfd, uptr path_address, u32 flags) {
    String path = TRY(path_arg(p, path_address));
    TRY(check_dirfd(p, dirfd, path.view()));
    bool follow = (flags & abi::open_flags.nofollow) == 0;
    Result<RefPtr<fs::Inode>> found = p.system.root().lookup(path.view(), follow);
    if (found.is_error()) {
        // The root filesystem is read-only for now: creating is EROFS.
        return found.error() == Errno::enoent && (flags & o_creat) != 0 ? Errno::erofs
                                                                        : found.error();
    }
    RefPtr<fs::Inode> inode = found.value();
    if ((flags & o_creat) != 0 && (flags & o_excl) != 0) {
        return Errno::eexist;
    }
    if (inode->is_symlink()) {
        return Errno::eloop; // O_NOFOLLOW on a symlink
    }
    if ((flags & abi::open_flags.directory) != 0 && !inode->is_directory()) {
        return Errno::enotdir;
    }
    if ((flags & o_accmode) != o_rdonly || (flags & o_trunc) != 0) {
        return inode->is_directory() ? Errno::eisdir : Errno::erofs;
    }
    bool console = inode->type() == fs::mode_char_device && inode->rdev == ((5 << 8) | 1);
    RefPtr<fs::File> file = console ? RefPtr<fs::File>(TRY(make_ref<fs::ConsoleFile>()))
                                    : RefPtr<fs::File>(TRY(make_ref<fs::InodeFile>(inode)));
    // Linux keeps O_LARGEFILE set on every 64-bit open (force_o_largefile), so F_GETFL shows it.
    file->flags = (flags & ~(o_creat | o_excl | o_trunc | o_cloexec)) | abi::open_flags.largefile;
    return static_cast<u64>(TRY(p.files.add(file, (flags & o_cloexec) != 0)));
}

// struct stat in this arch's layout.
Result<u64> put_stat(proc::Process& p, uptr to, const fs::FileStat& s) {
    const abi::StatLayout& l = abi::stat_layout;
    Vector<u8> out;
    TRY(out.resize(l.size));
    auto put = [&](usize offset, u64 value, usize width) {
        for (usize i = 0; i < width; ++i) {
            out[offset + i] = static_cast<u8>(value >> (8 * i));
        }
    };
    put(l.dev, s.dev, 8);
    put(l.ino, s.ino, 8);
    put(l.mode, s.mode, 4);
    put(l.nlink, s.nlink, l.nlink_width);
    put(l.uid, s.uid, 4);
    put(l.gid, s.gid, 4);
    put(l.rdev, s.rdev, 8);
    put(l.size_field, s.size, 8);
    put(l.blksize, s.blksize, l.blksize_width);
    put(l.blocks, s.blocks, 8);
    put(l.atime, s.mtime, 8);
    put(l.mtime, s.mtime, 8);
    put(l.ctime, s.mtime, 8);
    TRY(user(p).write(to, out.span()));
    return u64{0};
}

Result<u64> stat_path(proc::Process& p, i32 dirfd, uptr path_address, uptr to, u64 flags) {
    if ((flags & ~(at_symlink_nofollow | at_empty_path)) != 0) {
        return Errno::einval;
    }
    String path = TRY(user(p).read_string(path_address, path_max - 1));
    if (path.empty()) {
        if ((flags & at_empty_path) == 0) {
            return Errno::enoent;
        }
        if (dirfd == at_fdcwd) {
            return put_stat(p, to, fs::stat_of(*p.system.root().root()));
        }
        RefPtr<fs::File> file = TRY(p.files.get(dirfd));
        return put_stat(p, to, file->stat());
    }
    TRY(check_dirfd(p, dirfd, path.view()));
    RefPtr<fs::Inode> inode =
        TRY(p.system.root().lookup(path.view(), (flags & at_symlink_nofollow) == 0));
    return put_stat(p, to, fs::stat_of(*inode));
}

Result<u64> readlink_path(proc::Process& p, i32 dirfd, uptr path_address, uptr buffer, i64 size) {
    if (size <= 0) {
        return Errno::einval;
    }
    String path = TRY(path_arg(p, path_address));
    TRY(check_dirfd(p, dirfd, path.view()));
    RefPtr<fs::Inode> inode = TRY(p.system.root().lookup(path.view(), false));
    if (!inode->is_symlink()) {
        return Errno::einval;
    }
    // The target without a NUL, cut to the buffer.
    Bytes target = inode->data().first(min<usize>(inode->data().size(), static_cast<u64>(size)));
    TRY(user(p).write(buffer, target));
    return target.size();
}

} // namespace

Result<u64> sys_read(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(readable(p, a.int_at(0)));
    return read_into(p, *file, a[1], a[2]);
}

Result<u64> sys_write(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(writable(p, a.int_at(0)));
    return write_from(p, *file, a[1], a[2]);
}

Result<u64> sys_readv(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(readable(p, a.int_at(0)));
    return each_iovec(p, a[1], a[2],
                      [&](uptr base, u64 length) { return read_into(p, *file, base, length); });
}

Result<u64> sys_writev(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(writable(p, a.int_at(0)));
    return each_iovec(p, a[1], a[2],
                      [&](uptr base, u64 length) { return write_from(p, *file, base, length); });
}

Result<u64> sys_pread64(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(readable(p, a.int_at(0)));
    if (static_cast<i64>(a[3]) < 0) {
        return Errno::einval;
    }
    // Positioned: the shared offset is put back afterwards.
    u64 was = TRY(file->seek(0, fs::Whence::current));
    TRY(file->seek(static_cast<i64>(a[3]), fs::Whence::set));
    Result<u64> done = read_into(p, *file, a[1], a[2]);
    (void)file->seek(static_cast<i64>(was), fs::Whence::set);
    return done;
}

Result<u64> sys_open(proc::Process& p, const Args& a) {
    return open_path(p, at_fdcwd, a[0], static_cast<u32>(a[1]));
}

Result<u64> sys_openat(proc::Process& p, const Args& a) {
    return open_path(p, a.int_at(0), a[1], static_cast<u32>(a[2]));
}

Result<u64> sys_close(proc::Process& p, const Args& a) {
    TRY(p.files.close(a.int_at(0)));
    return u64{0};
}

Result<u64> sys_lseek(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(p.files.get(a.int_at(0)));
    if (a[2] > 2) {
        return Errno::einval; // SEEK_DATA/SEEK_HOLE come with real files
    }
    return file->seek(static_cast<i64>(a[1]), static_cast<fs::Whence>(a[2]));
}

Result<u64> sys_fstat(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(p.files.get(a.int_at(0)));
    return put_stat(p, a[1], file->stat());
}

Result<u64> sys_newfstatat(proc::Process& p, const Args& a) {
    return stat_path(p, a.int_at(0), a[1], a[2], a[3]);
}

Result<u64> sys_stat(proc::Process& p, const Args& a) {
    return stat_path(p, at_fdcwd, a[0], a[1], 0);
}

Result<u64> sys_lstat(proc::Process& p, const Args& a) {
    return stat_path(p, at_fdcwd, a[0], a[1], at_symlink_nofollow);
}

Result<u64> sys_readlink(proc::Process& p, const Args& a) {
    return readlink_path(p, at_fdcwd, a[0], a[1], a.int_at(2));
}

Result<u64> sys_readlinkat(proc::Process& p, const Args& a) {
    return readlink_path(p, a.int_at(0), a[1], a[2], a.int_at(3));
}

Result<u64> sys_ioctl(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(p.files.get(a.int_at(0)));
    if (!file->is_terminal()) {
        return Errno::enotty;
    }
    switch (a[1]) {
    case fs::ioctl_tcgets: {
        // A cooked terminal's settings, as a Linux console starts: ICRNL|IXON, OPOST|ONLCR,
        // B38400|CS8|CREAD|HUPCL, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN.
        Array<u8, 36> termios{};
        auto put32 = [&](usize at, u32 v) {
            for (usize i = 0; i < 4; ++i) {
                termios[at + i] = static_cast<u8>(v >> (8 * i));
            }
        };
        put32(0, 0x0500);
        put32(4, 0x0005);
        put32(8, 0x04bf);
        put32(12, 0x8a3b);
        const Array<u8, 17> cc{
            {3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0}};
        for (usize i = 0; i < cc.size(); ++i) {
            termios[17 + i] = cc[i];
        }
        TRY(user(p).write(a[2], Bytes(termios.span())));
        return u64{0};
    }
    case fs::ioctl_tcsets:
    case fs::ioctl_tcsetsw:
    case fs::ioctl_tcsetsf: {
        // Accepted and not applied: there is no line discipline yet. The argument must still be
        // readable.
        Array<u8, 36> termios{};
        TRY(user(p).read(termios.span(), a[2]));
        return u64{0};
    }
    case fs::ioctl_tiocgwinsz: {
        Array<u8, 8> size{{24, 0, 80, 0, 0, 0, 0, 0}}; // rows, columns, then pixels
        TRY(user(p).write(a[2], Bytes(size.span())));
        return u64{0};
    }
    default:
        return Errno::enotty; // what Linux answers for an ioctl the terminal does not know
    }
}

Result<u64> sys_dup(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(p.files.get(a.int_at(0)));
    return static_cast<u64>(TRY(p.files.add(file, false)));
}

Result<u64> sys_dup2(proc::Process& p, const Args& a) {
    RefPtr<fs::File> file = TRY(p.files.get(a.int_at(0)));
    if (a.int_at(0) == a.int_at(1)) {
        return static_cast<u64>(a.int_at(1));
    }
    return static_cast<u64>(TRY(p.files.put(a.int_at(1), file, false)));
}

Result<u64> sys_dup3(proc::Process& p, const Args& a) {
    if (a.int_at(0) == a.int_at(1) || (a[2] & ~u64{o_cloexec}) != 0) {
        return Errno::einval;
    }
    RefPtr<fs::File> file = TRY(p.files.get(a.int_at(0)));
    return static_cast<u64>(TRY(p.files.put(a.int_at(1), file, (a[2] & o_cloexec) != 0)));
}

Result<u64> sys_fcntl(proc::Process& p, const Args& a) {
    constexpr u64 f_dupfd = 0;
    constexpr u64 f_getfd = 1;
    constexpr u64 f_setfd = 2;
    constexpr u64 f_getfl = 3;
    constexpr u64 f_setfl = 4;
    constexpr u64 f_dupfd_cloexec = 1030;
    constexpr u64 fd_cloexec = 1;
    // What F_SETFL may change; the access mode and creation flags stay as opened.
    constexpr u32 settable = o_append | o_nonblock | o_async | o_noatime;
    i32 fd = a.int_at(0);
    RefPtr<fs::File> file = TRY(p.files.get(fd));
    switch (a[1]) {
    case f_dupfd:
    case f_dupfd_cloexec: {
        u64 lowest = static_cast<u32>(a[2]);
        if (lowest >= fs::FdTable::max_fds) {
            return Errno::einval; // Linux: at or beyond RLIMIT_NOFILE
        }
        return static_cast<u64>(TRY(p.files.add(file, a[1] == f_dupfd_cloexec, lowest)));
    }
    case f_getfd:
        return TRY(p.files.close_on_exec(fd)) ? fd_cloexec : u64{0};
    case f_setfd:
        TRY(p.files.set_close_on_exec(fd, (a[2] & fd_cloexec) != 0));
        return u64{0};
    case f_getfl:
        return file->flags;
    case f_setfl:
        file->flags = (file->flags & ~settable) | (static_cast<u32>(a[2]) & settable);
        return u64{0};
    default:
        return Errno::einval;
    }
}

} // namespace keel::syscall
