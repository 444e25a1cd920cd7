// move/forward and the handful of type traits ktl needs, on top of clang builtins.
#pragma once

#include <keel/ktl/types.h>

namespace keel {

template <typename T>
using RemoveReference = __remove_reference_t(T);
template <typename T>
using RemoveCvRef = __remove_cvref(T);

template <typename T>
constexpr RemoveReference<T>&& move(T&& value) noexcept {
    return static_cast<RemoveReference<T>&&>(value);
}

template <typename T>
constexpr T&& forward(RemoveReference<T>& value) noexcept {
    return static_cast<T&&>(value);
}

template <typename T>
constexpr T&& forward(RemoveReference<T>&& value) noexcept {
    return static_cast<T&&>(value);
}

template <typename T>
constexpr void swap(T& a, T& b) noexcept {
    T tmp = move(a);
    a = move(b);
    b = move(tmp);
}

template <typename T, typename U>
inline constexpr bool IsSame = __is_same(T, U);

template <typename T>
inline constexpr bool IsIntegral = __is_integral(T);

template <typename T>
inline constexpr bool IsSigned = __is_signed(T);

template <typename T>
inline constexpr bool IsEnum = __is_enum(T);

template <typename T>
inline constexpr bool IsTriviallyCopyable = __is_trivially_copyable(T);

template <typename T>
using UnderlyingType = __underlying_type(T);

template <typename T>
concept Integral = IsIntegral<T>;

template <typename T, typename U>
concept SameAs = IsSame<T, U> && IsSame<U, T>;

template <typename T>
constexpr T min(T a, T b) {
    return a < b ? a : b;
}

template <typename T>
constexpr T max(T a, T b) {
    return a < b ? b : a;
}

// Overflow-checked arithmetic: false when the result does not fit.
template <Integral T>
[[nodiscard]] constexpr bool checked_add(T a, T b, T& out) {
    return !__builtin_add_overflow(a, b, &out);
}

template <Integral T>
[[nodiscard]] constexpr bool checked_mul(T a, T b, T& out) {
    return !__builtin_mul_overflow(a, b, &out);
}

constexpr bool is_power_of_two(u64 v) { return v != 0 && (v & (v - 1)) == 0; }
constexpr u64 align_down(u64 v, u64 align) { return v & ~(align - 1); }
constexpr u64 align_up(u64 v, u64 align) { return align_down(v + align - 1, align); }

} // namespace keel
