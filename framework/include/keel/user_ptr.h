// Typed user pointers: a user address the kernel may only reach through checked copies. Every
// copy checks the whole range against the user half first (a kernel address is EFAULT without
// touching it), then copies with the user-access window open; a fault on the way (unmapped, no
// permission) is EFAULT, never a kernel crash. Lengths are overflow checked.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>

namespace keel {

namespace user_copy {
Result<void> from_user(Span<u8> to, uptr from);
Result<void> to_user(uptr to, Span<const u8> from);
// The string at from, NUL included, into to; its length without the NUL. ENAMETOOLONG when no
// NUL comes within to.size() bytes.
Result<usize> string_from_user(Span<u8> to, uptr from);
} // namespace user_copy

// T is plain data (trivially copyable): it crosses as bytes. A pointer (or a record holding
// one) read from user memory would be a forged kernel pointer, so the gate rejects those T
// (pointer_free_arguments).
template <typename T>
    requires(__is_trivially_copyable(T))
class [[clang::annotate("keel::pointer_free_arguments")]] UserPtr {
public:
    constexpr UserPtr() = default;
    constexpr explicit UserPtr(uptr address) : address_(address) {}

    uptr address() const { return address_; }
    bool is_null() const { return address_ == 0; }
    // The element index places further on; EFAULT when the address overflows.
    Result<UserPtr> offset(usize index) const {
        uptr bytes = 0;
        uptr at = 0;
        if (__builtin_mul_overflow(index, sizeof(T), &bytes) ||
            __builtin_add_overflow(address_, bytes, &at)) {
            return Errno::efault;
        }
        return UserPtr(at);
    }

    Result<T> read() const {
        Array<u8, sizeof(T)> bytes{};
        TRY(user_copy::from_user(bytes.span(), address_));
        return __builtin_bit_cast(T, bytes);
    }
    Result<void> write(const T& value) const {
        Array<u8, sizeof(T)> bytes = __builtin_bit_cast(Array<u8, sizeof(T)>, value);
        return user_copy::to_user(address_, Span<const u8>(bytes.span()));
    }
    // to.size() elements from here.
    Result<void> read_array(Span<T> to) const {
        if constexpr (IsSame<T, u8>) {
            return user_copy::from_user(to, address_);
        } else {
            for (usize i = 0; i < to.size(); ++i) {
                to[i] = TRY(TRY(offset(i)).read());
            }
            return {};
        }
    }
    Result<void> write_array(Span<const T> from) const {
        if constexpr (IsSame<T, u8>) {
            return user_copy::to_user(address_, from);
        } else {
            for (usize i = 0; i < from.size(); ++i) {
                TRY(TRY(offset(i)).write(from[i]));
            }
            return {};
        }
    }

private:
    uptr address_ = 0;
};

} // namespace keel
