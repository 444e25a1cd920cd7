// Errno and Result<T>: fallible operations return a value or a Linux error number, and TRY
// propagates the error (the shape of SerenityOS's ErrorOr/TRY, with Linux's errno values as the
// error type because every error in Keel ends up as one at the syscall boundary).
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/string_view.h>

namespace keel {

enum class Errno : i32 {
    eperm = 1,
    enoent = 2,
    esrch = 3,
    eintr = 4,
    eio = 5,
    enxio = 6,
    e2big = 7,
    enoexec = 8,
    ebadf = 9,
    echild = 10,
    eagain = 11,
    enomem = 12,
    eacces = 13,
    efault = 14,
    ebusy = 16,
    eexist = 17,
    enodev = 19,
    enotdir = 20,
    eisdir = 21,
    einval = 22,
    emfile = 24,
    enotty = 25,
    efbig = 27,
    enospc = 28,
    espipe = 29,
    erofs = 30,
    emlink = 31,
    epipe = 32,
    erange = 34,
    enametoolong = 36,
    enosys = 38,
    enotempty = 39,
    eloop = 40,
    eoverflow = 75,
    eopnotsupp = 95,
    etimedout = 110,
};

// Enumerators are the Linux names in lower case (the upper-case ones are libc macros on the
// host); the symbolic name ("EINVAL") is for logs; "E?" for a value not in the table.
// Defined in checked code (lib/text/errno_name.cc).
namespace lib {
StringView errno_name(Errno e);
} // namespace lib
using lib::errno_name;
inline StringView to_string(Errno e) { return errno_name(e); }

template <typename T>
class [[nodiscard]] Result {
public:
    constexpr Result(const T& value) : value_(value) {}  // NOLINT: implicit by design
    constexpr Result(T&& value) : value_(move(value)) {} // NOLINT
    constexpr Result(Errno error) : error_(error) {}     // NOLINT

    constexpr bool is_error() const { return !value_.has_value(); }
    constexpr bool ok() const { return value_.has_value(); }
    constexpr Errno error() const {
        KEEL_ASSERT(is_error());
        return error_;
    }
    constexpr T& value() [[clang::lifetimebound]] { return value_.value(); }
    constexpr const T& value() const [[clang::lifetimebound]] { return value_.value(); }
    constexpr T release_value() { return move(value_.value()); }
    constexpr T value_or(T fallback) const { return ok() ? value_.value() : fallback; }

private:
    Optional<T> value_;
    Errno error_ = Errno::einval;
};

template <>
class [[nodiscard]] Result<void> {
public:
    constexpr Result() = default;
    constexpr Result(Errno error) : error_(error), is_error_(true) {} // NOLINT

    constexpr bool is_error() const { return is_error_; }
    constexpr bool ok() const { return !is_error_; }
    constexpr Errno error() const {
        KEEL_ASSERT(is_error_);
        return error_;
    }
    constexpr void release_value() const {}

private:
    Errno error_ = Errno::einval;
    bool is_error_ = false;
};

} // namespace keel

// Evaluates a Result; on error returns the error from the enclosing function, otherwise yields the
// value. A statement expression, as in SerenityOS, because C++ has no `?` operator.
#define TRY(expression)                                                                            \
    ({                                                                                             \
        auto&& keel_try_result_ = (expression);                                                    \
        if (keel_try_result_.is_error()) {                                                         \
            return keel_try_result_.error();                                                       \
        }                                                                                          \
        keel_try_result_.release_value();                                                          \
    })
