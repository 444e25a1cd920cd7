// Block devices as services see them: a disk of 512-byte sectors that reads and writes whole
// sectors and flushes its write cache. Drivers register each disk they bind under a Linux-style
// name (vda, vdb, ... for virtio); services look disks up by index or name.
#pragma once

#include <keel/box.h>
#include <keel/ktl/array.h>
#include <keel/ktl/format.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>

namespace keel::drivers {

class BlockDevice : public RefCounted<BlockDevice> {
public:
    static constexpr usize sector_size = 512;

    BlockDevice(const BlockDevice&) = delete;
    BlockDevice& operator=(const BlockDevice&) = delete;
    virtual ~BlockDevice() = default;

    virtual StringView name() const = 0;
    virtual u64 sector_count() const = 0;
    virtual bool read_only() const { return false; }

    // Whole sectors from sector on: EINVAL for a length that is not a multiple of sector_size
    // (or 0) and for a range beyond the disk, EROFS for writes to a read-only disk, EIO when the
    // device reports an error or breaks its protocol.
    virtual Result<void> read(u64 sector, Span<u8> out) = 0;
    virtual Result<void> write(u64 sector, Span<const u8> in) = 0;
    // Everything written so far is on stable storage.
    virtual Result<void> flush() = 0;

    // The checks every read and write makes first.
    Result<void> check_range(u64 sector, usize bytes) const;

protected:
    BlockDevice() = default;
};

// ENOMEM; EEXIST for a name already registered.
Result<void> register_block_device(RefPtr<BlockDevice> device);
usize block_device_count();
Optional<RefPtr<BlockDevice>> block_device(usize index);
Optional<RefPtr<BlockDevice>> find_block_device(StringView name);

// "vd" + a, b, ..., z, aa, ab, ... for the index-th disk of a driver family (Linux's scheme).
template <usize N>
void disk_name(FixedString<N>& out, StringView prefix, usize index) {
    Array<char, 8> letters{};
    usize count = 0;
    usize n = index + 1;
    while (n > 0 && count < letters.size()) {
        n -= 1;
        letters[count++] = static_cast<char>('a' + n % 26);
        n /= 26;
    }
    out.write(prefix);
    while (count > 0) {
        char c = letters[--count];
        format(out, "{}", c);
    }
}

} // namespace keel::drivers
