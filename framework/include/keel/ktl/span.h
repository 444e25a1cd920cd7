// Span<T>: a bounds-checked view of contiguous objects. The safe subset's replacement for
// pointer arithmetic and raw-array indexing: every access is checked, every slice is checked.
// Its constructors are [[clang::lifetimebound]], as are the owners' accessors that hand one out
// (Array, Vector, String...): a view that outlives a local or temporary owner is a compile error
// (-Wdangling, -Wreturn-stack-address). A view kept across the owner's growth is not caught.
#pragma once

#include <keel/ktl/assert.h>
#include <keel/ktl/utility.h>

namespace keel {

template <typename T>
class Span {
public:
    using Element = T;

    constexpr Span() = default;

    template <usize N>
    constexpr Span(T (&array)[N] [[clang::lifetimebound]]) : data_(array), size_(N) {} // NOLINT

    template <typename U>
        requires(IsSame<const U, T> && !IsSame<U, T>)
    constexpr Span(Span<U> other [[clang::lifetimebound]]) // NOLINT: implicit by design
        : data_(other.data()), size_(other.size()) {}

    // For the framework only: a span over memory the caller vouches for. Services never see raw
    // pointers, so they cannot call this (the safe-subset gate rejects pointer parameters' use).
    [[clang::annotate("keel::framework_only")]] static constexpr Span from_raw(T* data,
                                                                               usize size) {
        return Span(data, size);
    }

    constexpr usize size() const { return size_; }
    constexpr usize size_bytes() const { return size_ * sizeof(T); }
    constexpr bool empty() const { return size_ == 0; }
    constexpr T* data() const { return data_; }

    constexpr T& operator[](usize index) const {
        KEEL_BOUNDS_CHECK(index, size_);
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunsafe-buffer-usage"
        // SAFETY: index < size_ was checked just above.
        return data_[index];
#pragma clang diagnostic pop
    }

    constexpr T& front() const { return (*this)[0]; }
    constexpr T& back() const { return (*this)[size_ - 1]; }

    constexpr Span subspan(usize offset) const {
        KEEL_BOUNDS_CHECK(offset, size_ + 1);
        return subspan(offset, size_ - offset);
    }

    constexpr Span subspan(usize offset, usize count) const {
        KEEL_BOUNDS_CHECK(offset, size_ + 1);
        KEEL_BOUNDS_CHECK(count, size_ - offset + 1);
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunsafe-buffer-usage"
        // SAFETY: offset + count <= size_ was checked just above.
        return Span(data_ + offset, count);
#pragma clang diagnostic pop
    }

    constexpr Span first(usize count) const { return subspan(0, count); }

    class Iterator {
    public:
        constexpr Iterator(Span span, usize index) : span_(span), index_(index) {}
        constexpr T& operator*() const { return span_[index_]; }
        constexpr Iterator& operator++() {
            ++index_;
            return *this;
        }
        constexpr bool operator==(const Iterator& other) const { return index_ == other.index_; }

    private:
        Span span_;
        usize index_;
    };
    constexpr Iterator begin() const { return Iterator(*this, 0); }
    constexpr Iterator end() const { return Iterator(*this, size_); }

private:
    constexpr Span(T* data, usize size) : data_(data), size_(size) {}
    T* data_ = nullptr;
    usize size_ = 0;
};

using Bytes = Span<const u8>;
using MutableBytes = Span<u8>;

// Reads a fixed-width integer out of a byte span at a checked offset, in either byte order.
template <Integral T>
constexpr T read_le(Bytes bytes, usize offset) {
    KEEL_BOUNDS_CHECK(offset + sizeof(T) - 1, bytes.size());
    T value = 0;
    for (usize i = 0; i < sizeof(T); ++i) {
        value |= static_cast<T>(static_cast<T>(bytes[offset + i]) << (8 * i));
    }
    return value;
}

template <Integral T>
constexpr T read_be(Bytes bytes, usize offset) {
    KEEL_BOUNDS_CHECK(offset + sizeof(T) - 1, bytes.size());
    T value = 0;
    for (usize i = 0; i < sizeof(T); ++i) {
        value = static_cast<T>((value << 8) | bytes[offset + i]);
    }
    return value;
}

} // namespace keel
