// Fixed-width integer types and the few language-support pieces a freestanding kernel needs.
//
// The kernel has no C++ standard library: ktl ("kernel template library") is the small subset
// Keel uses, written for a kernel (no exceptions, no allocation, bounds checked). On the host
// (KEEL_HOST) the standard library exists and owns std::initializer_list and placement new.
#pragma once

#include <stddef.h>
#include <stdint.h>

#if defined(KEEL_HOST)
#include <initializer_list>
#include <new>
#else
namespace std {
// The compiler requires exactly this name and layout for braced lists.
template <typename T>
class initializer_list {
public:
    using value_type = T;
    using size_type = size_t;
    constexpr initializer_list() noexcept = default;
    constexpr size_t size() const noexcept { return size_; }
    constexpr const T* begin() const noexcept { return begin_; }
    constexpr const T* end() const noexcept {
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunsafe-buffer-usage"
        // SAFETY: the compiler built [begin_, begin_ + size_) as one array.
        return begin_ + size_;
#pragma clang diagnostic pop
    }

private:
    constexpr initializer_list(const T* b, size_t s) noexcept : begin_(b), size_(s) {}
    const T* begin_ = nullptr;
    size_t size_ = 0;
};
} // namespace std

// Placement new: constructs an object in storage the caller owns. The only form of `new` the
// kernel has; the throwing global operator new does not exist.
inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }
#endif

namespace keel {

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;
using isize = ptrdiff_t;
using uptr = uintptr_t;

} // namespace keel
