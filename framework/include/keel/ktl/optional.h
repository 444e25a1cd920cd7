// Optional<T>: a value or nothing, without exceptions (value() on an empty one is a kernel bug).
#pragma once

#include <keel/ktl/assert.h>
#include <keel/ktl/utility.h>

namespace keel {

struct NullOpt {};
inline constexpr NullOpt none{};

template <typename T>
class Optional {
public:
    constexpr Optional() : empty_{}, has_value_(false) {}
    constexpr Optional(NullOpt) : Optional() {} // NOLINT: implicit by design
    constexpr Optional(const T& value) : value_(value), has_value_(true) {}  // NOLINT
    constexpr Optional(T&& value) : value_(move(value)), has_value_(true) {} // NOLINT
    constexpr Optional(const Optional& other) : Optional() {
        if (other.has_value_) {
            new (&value_) T(other.value_);
            has_value_ = true;
        }
    }
    constexpr Optional& operator=(const Optional& other) {
        if (this != &other) {
            reset();
            if (other.has_value_) {
                new (&value_) T(other.value_);
                has_value_ = true;
            }
        }
        return *this;
    }
    constexpr Optional(Optional&& other) noexcept : Optional() {
        if (other.has_value_) {
            new (&value_) T(move(other.value_));
            has_value_ = true;
        }
    }
    constexpr Optional& operator=(Optional&& other) noexcept {
        if (this != &other) {
            reset();
            if (other.has_value_) {
                new (&value_) T(move(other.value_));
                has_value_ = true;
            }
        }
        return *this;
    }
    // Trivial when T's is, so constinit globals holding Optionals need no static destructor.
    constexpr ~Optional()
        requires(__is_trivially_destructible(T))
    = default;
    constexpr ~Optional() { reset(); }

    constexpr bool has_value() const { return has_value_; }
    constexpr explicit operator bool() const { return has_value_; }

    constexpr T& value() [[clang::lifetimebound]] {
        KEEL_ASSERT(has_value_);
        return value_;
    }
    constexpr const T& value() const [[clang::lifetimebound]] {
        KEEL_ASSERT(has_value_);
        return value_;
    }
    constexpr T value_or(T fallback) const { return has_value_ ? value_ : fallback; }
    constexpr T* operator->() [[clang::lifetimebound]] { return &value(); }
    constexpr const T* operator->() const [[clang::lifetimebound]] { return &value(); }
    constexpr T& operator*() [[clang::lifetimebound]] { return value(); }
    constexpr const T& operator*() const [[clang::lifetimebound]] { return value(); }

    constexpr void reset() {
        if (has_value_) {
            value_.~T();
            has_value_ = false;
        }
    }

private:
    struct Empty {};
    union {
        Empty empty_;
        T value_;
    };
    bool has_value_;
};

} // namespace keel
