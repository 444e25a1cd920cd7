// Array<T, N>: a fixed-size array whose indexing is bounds checked (the safe subset's raw array).
#pragma once

#include <keel/ktl/span.h>

namespace keel {

template <typename T, usize N>
struct Array {
    // Public so that Array is an aggregate: `Array<int, 3> a{1, 2, 3}` and constexpr tables work.
    T elements[N];

    constexpr usize size() const { return N; }
    constexpr T& operator[](usize i) [[clang::lifetimebound]] { return span()[i]; }
    constexpr const T& operator[](usize i) const [[clang::lifetimebound]] { return span()[i]; }
    constexpr Span<T> span() [[clang::lifetimebound]] { return Span<T>(elements); }
    constexpr Span<const T> span() const [[clang::lifetimebound]] {
        return Span<const T>(elements);
    }
    constexpr typename Span<T>::Iterator begin() [[clang::lifetimebound]] { return span().begin(); }
    constexpr typename Span<T>::Iterator end() [[clang::lifetimebound]] { return span().end(); }
    constexpr typename Span<const T>::Iterator begin() const [[clang::lifetimebound]] {
        return span().begin();
    }
    constexpr typename Span<const T>::Iterator end() const [[clang::lifetimebound]] {
        return span().end();
    }
};

} // namespace keel
