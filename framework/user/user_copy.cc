// The checks in front of the arch's user copies: the whole range must lie in the user half
// (a kernel address is EFAULT before anything is touched), and the length must not wrap.
#include <keel/user_ptr.h>

#include <arch/user_mode.h>

#include "mm/kernel_space.h"

namespace keel::user_copy {

namespace {
bool is_user_range(uptr address, usize size) {
    uptr end = 0;
    return address >= page_size && !__builtin_add_overflow(address, size, &end) &&
           end <= mm::user_end();
}
} // namespace

Result<void> from_user(Span<u8> to, uptr from) {
    if (to.empty()) {
        return {};
    }
    if (!is_user_range(from, to.size()) || !arch::copy_from_user(to, from)) {
        return Errno::efault;
    }
    return {};
}

Result<void> to_user(uptr to, Span<const u8> from) {
    if (from.empty()) {
        return {};
    }
    if (!is_user_range(to, from.size()) || !arch::copy_to_user(to, from)) {
        return Errno::efault;
    }
    return {};
}

Result<usize> string_from_user(Span<u8> to, uptr from) {
    if (to.empty()) {
        return Errno::enametoolong;
    }
    // The string may end before the user half does: check only what can be read, and let the
    // arch stop at the NUL (or at a fault).
    if (from < page_size || from >= mm::user_end()) {
        return Errno::efault;
    }
    usize room = min<usize>(to.size(), mm::user_end() - from);
    isize length = arch::copy_string_from_user(to.first(room), from);
    if (length < 0) {
        return Errno::efault;
    }
    if (static_cast<usize>(length) == room) {
        return room < to.size() ? Errno::efault : Errno::enametoolong;
    }
    return static_cast<usize>(length);
}

} // namespace keel::user_copy
