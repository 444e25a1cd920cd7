// Read-only access to physical memory for boot-protocol parsers. The kernel implements it over
// the linear map; host tests over a buffer, so the parsers run unchanged on both.
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>

namespace keel::boot {

class PhysReader {
public:
    // The bytes [phys, phys + size), or none when any of them cannot be read.
    virtual Optional<Bytes> read(u64 phys, usize size) const = 0;

    // A NUL-terminated string of at most max_len bytes (without the NUL); none when unreadable
    // or unterminated.
    Optional<StringView> read_c_string(u64 phys, usize max_len) const;

protected:
    ~PhysReader() = default;
};

} // namespace keel::boot
