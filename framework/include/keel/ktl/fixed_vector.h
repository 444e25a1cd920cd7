// FixedVector<T, N>: a vector with inline capacity N and no allocation. push() reports a full
// vector instead of growing, so callers decide what "too many" means (boot info uses it before
// any allocator exists).
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/result.h>

namespace keel {

template <typename T, usize N>
class FixedVector {
public:
    constexpr usize size() const { return size_; }
    constexpr static usize capacity() { return N; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr bool full() const { return size_ == N; }

    [[nodiscard]] constexpr Result<void> push(const T& value) {
        if (size_ == N) {
            return Errno::enospc;
        }
        storage_[size_++] = value;
        return {};
    }

    constexpr void insert_at(usize index, const T& value) {
        KEEL_BOUNDS_CHECK(index, size_ + 1);
        KEEL_ASSERT(size_ < N);
        for (usize i = size_; i > index; --i) {
            storage_[i] = storage_[i - 1];
        }
        storage_[index] = value;
        ++size_;
    }

    constexpr void remove_at(usize index) {
        KEEL_BOUNDS_CHECK(index, size_);
        for (usize i = index; i + 1 < size_; ++i) {
            storage_[i] = storage_[i + 1];
        }
        --size_;
    }

    constexpr void clear() { size_ = 0; }

    constexpr T& operator[](usize i) [[clang::lifetimebound]] { return span()[i]; }
    constexpr const T& operator[](usize i) const [[clang::lifetimebound]] { return span()[i]; }
    constexpr Span<T> span() [[clang::lifetimebound]] { return storage_.span().first(size_); }
    constexpr Span<const T> span() const [[clang::lifetimebound]] {
        return storage_.span().first(size_);
    }
    constexpr typename Span<T>::Iterator begin() [[clang::lifetimebound]] { return span().begin(); }
    constexpr typename Span<T>::Iterator end() [[clang::lifetimebound]] { return span().end(); }
    constexpr typename Span<const T>::Iterator begin() const [[clang::lifetimebound]] {
        return span().begin();
    }
    constexpr typename Span<const T>::Iterator end() const [[clang::lifetimebound]] {
        return span().end();
    }

private:
    Array<T, N> storage_{};
    usize size_ = 0;
};

} // namespace keel
