#include "services/initramfs/cpio.h"

#include <keel/ktl/array.h>

namespace keel::initramfs {

namespace {
constexpr usize header_size = 110;
constexpr usize field_count = 13;
constexpr StringView trailer = "TRAILER!!!";

usize align4(usize n) { return (n + 3) & ~usize{3}; }

Optional<u32> hex_field(Bytes header, usize index) {
    u32 value = 0;
    for (usize i = 0; i < 8; ++i) {
        u8 c = header[6 + index * 8 + i];
        u32 digit = 0;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            return none;
        }
        value = value << 4 | digit;
    }
    return value;
}

bool has_magic(Bytes header) {
    constexpr StringView newc = "070701";
    constexpr StringView crc = "070702";
    StringView magic = StringView::from_bytes(header.first(6));
    return magic == newc || magic == crc;
}
} // namespace

Result<Optional<CpioEntry>> CpioReader::next() {
    if (failed_) {
        return Errno::einval;
    }
    auto fail = [this]() -> Result<Optional<CpioEntry>> {
        failed_ = true;
        return Errno::einval;
    };
    for (;;) {
        if (!in_archive_) {
            // Between archives: zero padding, then another archive or the end.
            while (offset_ < archive_.size() && archive_[offset_] == 0) {
                ++offset_;
            }
            if (offset_ == archive_.size()) {
                return Optional<CpioEntry>();
            }
        }
        if (archive_.size() - offset_ < header_size) {
            return fail(); // a header cut short, or an archive without its trailer
        }
        Bytes header = archive_.subspan(offset_, header_size);
        if (!has_magic(header)) {
            return fail();
        }
        Array<u32, field_count> fields{};
        for (usize i = 0; i < field_count; ++i) {
            Optional<u32> value = hex_field(header, i);
            if (!value) {
                return fail();
            }
            fields[i] = *value;
        }
        usize name_size = fields[11];
        usize file_size = fields[6];
        usize name_at = offset_ + header_size;
        if (name_size == 0 || archive_.size() - name_at < name_size) {
            return fail();
        }
        Bytes name_bytes = archive_.subspan(name_at, name_size);
        if (name_bytes[name_size - 1] != 0) {
            return fail(); // the name must end in its NUL
        }
        StringView name = StringView::from_bytes(name_bytes.first(name_size - 1));
        for (char c : name) {
            if (c == '\0') {
                return fail(); // a NUL inside the name
            }
        }
        usize data_at = align4(name_at + name_size);
        if (data_at > archive_.size() || archive_.size() - data_at < file_size) {
            return fail();
        }
        CpioEntry entry;
        entry.name = name;
        entry.ino = fields[0];
        entry.mode = fields[1];
        entry.uid = fields[2];
        entry.gid = fields[3];
        entry.nlink = fields[4];
        entry.mtime = fields[5];
        entry.dev_major = fields[7];
        entry.dev_minor = fields[8];
        entry.rdev_major = fields[9];
        entry.rdev_minor = fields[10];
        entry.data = archive_.subspan(data_at, file_size);
        // The last entry's padding may be missing at the very end of the input.
        offset_ = min(align4(data_at + file_size), archive_.size());
        if (name == trailer) {
            in_archive_ = false;
            continue;
        }
        in_archive_ = true;
        return Optional<CpioEntry>(entry);
    }
}

} // namespace keel::initramfs
