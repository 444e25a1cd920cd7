// The cpio "newc" format, as Linux's initramfs takes it: a 110-byte ASCII header ("070701", or
// "070702" with a checksum, then thirteen 8-digit hex fields), the NUL-terminated name, the
// data, each padded to 4 bytes; an entry named TRAILER!!! ends an archive. Archives may be
// concatenated, with zero padding between them. Every size is checked against the input: a
// damaged archive is EINVAL, never a read outside it.
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>

namespace keel::initramfs {

struct CpioEntry {
    StringView name; // without the NUL; as stored (may start with "./" or "/")
    u32 mode = 0;    // type (S_IFMT bits) and permissions
    u32 uid = 0;
    u32 gid = 0;
    u32 nlink = 0;
    u32 mtime = 0;
    u32 ino = 0;
    u32 dev_major = 0;
    u32 dev_minor = 0;
    u32 rdev_major = 0;
    u32 rdev_minor = 0;
    Bytes data; // a regular file's contents, a symlink's target
};

// The S_IFMT part of mode.
inline constexpr u32 mode_type_mask = 0170000;
inline constexpr u32 mode_regular = 0100000;
inline constexpr u32 mode_directory = 0040000;
inline constexpr u32 mode_symlink = 0120000;

class CpioReader {
public:
    explicit CpioReader(Bytes archive) : archive_(archive) {}

    // The next entry; none after the last trailer (and only zero padding) was read. EINVAL for
    // anything malformed, and for input that ends without a trailer. After an error the reader
    // stays at the error.
    Result<Optional<CpioEntry>> next();

    // Where the reader is: for log lines about a damaged archive.
    usize offset() const { return offset_; }

private:
    Bytes archive_;
    usize offset_ = 0;
    bool in_archive_ = false; // inside an archive: its trailer has not come yet
    bool failed_ = false;
};

} // namespace keel::initramfs
