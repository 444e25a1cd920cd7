#include "services/initramfs/unpack.h"

#include <keel/log.h>

#include "services/initramfs/cpio.h"

namespace keel::initramfs {

namespace {

// "./a/b", "/a/b" and "a/b" all name a/b under the root; "." and "" name the root itself.
StringView relative_name(StringView name) {
    while (name.starts_with("./") || name.starts_with("/")) {
        name = name.substr(name[0] == '.' ? 2 : 1);
    }
    return name == StringView(".") ? StringView() : name;
}

u64 encode_dev(u32 major, u32 minor) {
    // Linux's new_encode_dev: minor's low byte, major, then minor's high bits.
    return (minor & 0xff) | (u64{major & 0xfff} << 8) | (u64{minor & ~0xffu} << 12);
}

Result<bool> add_entry(const CpioEntry& e, fs::Ramfs& root) {
    StringView name = relative_name(e.name);
    if (name.empty()) {
        return false; // the root directory itself
    }
    u32 type = e.mode & mode_type_mask;
    bool supported = type == fs::mode_regular || type == fs::mode_directory ||
                     type == fs::mode_symlink || type == fs::mode_char_device ||
                     type == 0060000 /* block */ || type == 0010000 /* fifo */;
    if (!supported) {
        log::warn("initramfs: {}: unsupported file type {:#x}, skipped", name, type);
        return false;
    }
    Result<RefPtr<fs::Inode>> existing = root.lookup(name, false);
    if (existing.ok() && type == fs::mode_directory && existing.value()->is_directory()) {
        return true; // mkdir of an existing directory: nothing to do
    }
    if (existing.ok()) {
        // A second copy of a file (a later archive overriding an earlier one) replaces it.
        if (existing.value()->type() != type) {
            log::warn("initramfs: {}: exists with another type, skipped", name);
            return false;
        }
        TRY(existing.value()->set_data(e.data));
        return true;
    }
    Result<RefPtr<fs::Inode>> made = root.create(name, e.mode);
    if (made.is_error()) {
        if (made.error() == Errno::enomem) {
            return Errno::enomem;
        }
        log::warn("initramfs: {}: cannot create ({})", name, made.error());
        return false;
    }
    fs::Inode& inode = *made.value();
    inode.uid = e.uid;
    inode.gid = e.gid;
    inode.mtime = e.mtime;
    inode.rdev = encode_dev(e.rdev_major, e.rdev_minor);
    if (type == fs::mode_regular || type == fs::mode_symlink) {
        TRY(inode.set_data(e.data));
    }
    return true;
}

} // namespace

Result<UnpackReport> unpack(Bytes archive, fs::Ramfs& root) {
    UnpackReport report;
    CpioReader reader(archive);
    for (;;) {
        Result<Optional<CpioEntry>> next = reader.next();
        if (next.is_error()) {
            log::error("initramfs: damaged archive at byte {} of {} ({}); kept the {} entries "
                       "before it",
                       reader.offset(), archive.size(), next.error(), report.entries);
            return next.error();
        }
        if (!next.value()) {
            return report;
        }
        bool added = TRY(add_entry(*next.value(), root));
        ++(added ? report.entries : report.skipped);
    }
}

} // namespace keel::initramfs
