#include "services/proc/user_memory.h"

namespace keel::proc {

Result<String> UserMemory::read_string(uptr from, usize max) {
    // Page by page, faulting each in before reading it: the string's length is not known until
    // its NUL is found, and the page after the NUL may well be unmapped.
    String result;
    Array<u8, 256> chunk{};
    uptr at = from;
    for (;;) {
        usize room = min<usize>(chunk.size(), page_size - (at & (page_size - 1)));
        room = min<usize>(room, max + 1 - result.size());
        TRY(mm_.fault_in(at, 1, UserAccess::read));
        Result<usize> got = user_copy::string_from_user(chunk.span().first(room), at);
        if (got.is_error() && got.error() != Errno::enametoolong) {
            return got.error();
        }
        usize length = got.ok() ? got.value() : room;
        TRY(result.append(StringView::from_bytes(Bytes(chunk.span()).first(length))));
        if (result.size() > max) {
            return Errno::enametoolong;
        }
        if (got.ok()) {
            return result;
        }
        at += room;
    }
}

} // namespace keel::proc
