// Vector<T>: a growable array on the kernel heap whose growth can fail. Every operation that may
// allocate returns Result (ENOMEM), never throws and never panics; indexing is bounds checked.
// Move-only: copying a vector allocates, so it is explicit (clone()).
#pragma once

#include <keel/box.h>
#include <keel/ktl/span.h>

namespace keel {

template <typename T>
class Vector {
public:
    constexpr Vector() = default;
    Vector(Vector&& other) noexcept
        : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
        other.data_ = nullptr;
        other.size_ = 0;
        other.capacity_ = 0;
    }
    Vector& operator=(Vector&& other) noexcept {
        if (this != &other) {
            release();
            data_ = other.data_;
            size_ = other.size_;
            capacity_ = other.capacity_;
            other.data_ = nullptr;
            other.size_ = 0;
            other.capacity_ = 0;
        }
        return *this;
    }
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;
    ~Vector() { release(); }

    usize size() const { return size_; }
    usize capacity() const { return capacity_; }
    bool empty() const { return size_ == 0; }

    T& operator[](usize i) [[clang::lifetimebound]] { return span()[i]; }
    const T& operator[](usize i) const [[clang::lifetimebound]] { return span()[i]; }
    T& back() [[clang::lifetimebound]] { return span().back(); }
    const T& back() const [[clang::lifetimebound]] { return span().back(); }
    Span<T> span() [[clang::lifetimebound]] { return Span<T>::from_raw(data_, size_); }
    Span<const T> span() const [[clang::lifetimebound]] {
        return Span<const T>::from_raw(data_, size_);
    }
    typename Span<T>::Iterator begin() [[clang::lifetimebound]] { return span().begin(); }
    typename Span<T>::Iterator end() [[clang::lifetimebound]] { return span().end(); }
    typename Span<const T>::Iterator begin() const [[clang::lifetimebound]] {
        return span().begin();
    }
    typename Span<const T>::Iterator end() const [[clang::lifetimebound]] { return span().end(); }

    // Room for at least count elements without further allocation.
    Result<void> reserve(usize count) {
        if (count <= capacity_) {
            return {};
        }
        T* fresh = TRY(allocate(count));
        adopt(fresh, count);
        return {};
    }

    [[nodiscard]] Result<void> push_back(T value) {
        TRY(grow_for(size_ + 1));
        new (slot(data_, size_)) T(move(value));
        ++size_;
        return {};
    }

    // Inserts value before index (index == size() appends).
    [[nodiscard]] Result<void> insert(usize index, T value) {
        KEEL_BOUNDS_CHECK(index, size_ + 1);
        TRY(grow_for(size_ + 1));
        if (index == size_) {
            new (slot(data_, size_)) T(move(value));
        } else {
            new (slot(data_, size_)) T(move(*slot(data_, size_ - 1)));
            for (usize i = size_ - 1; i > index; --i) {
                *slot(data_, i) = move(*slot(data_, i - 1));
            }
            *slot(data_, index) = move(value);
        }
        ++size_;
        return {};
    }

    void remove(usize index) {
        KEEL_BOUNDS_CHECK(index, size_);
        for (usize i = index; i + 1 < size_; ++i) {
            *slot(data_, i) = move(*slot(data_, i + 1));
        }
        pop_back();
    }

    void pop_back() {
        KEEL_ASSERT(size_ > 0);
        --size_;
        slot(data_, size_)->~T();
    }

    // Grows with default-constructed elements or shrinks to count.
    Result<void> resize(usize count) {
        TRY(reserve(count));
        while (size_ < count) {
            new (slot(data_, size_)) T();
            ++size_;
        }
        while (size_ > count) {
            pop_back();
        }
        return {};
    }

    void clear() {
        while (size_ > 0) {
            pop_back();
        }
    }

    // Appends copies of every element of from, which may view this vector's own elements
    // (v.append(v.span())): when the vector must grow, from is copied into the new block before
    // the old one is moved from and released.
    Result<void> append(Span<const T> from) {
        if (from.size() > max_elements - size_) {
            return Errno::enomem;
        }
        usize total = size_ + from.size();
        if (total <= capacity_) {
            for (const T& value : from) {
                new (slot(data_, size_)) T(value);
                ++size_;
            }
            return {};
        }
        usize capacity = grown_capacity(total);
        T* fresh = TRY(allocate(capacity));
        for (usize i = 0; i < from.size(); ++i) {
            new (slot(fresh, size_ + i)) T(from[i]);
        }
        adopt(fresh, capacity);
        size_ = total;
        return {};
    }

    Result<Vector> clone() const {
        Vector copy;
        TRY(copy.reserve(size_));
        TRY(copy.append(span()));
        return copy;
    }

private:
    static constexpr usize max_elements = (usize{1} << 40) / sizeof(T);

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunsafe-buffer-usage"
    // SAFETY: every caller passes an index below the block's capacity.
    static T* slot(T* base, usize index) { return base + index; }
#pragma clang diagnostic pop

    usize grown_capacity(usize count) const {
        usize doubled = capacity_ < 4 ? 4 : capacity_ * 2;
        return doubled > count ? doubled : count;
    }

    Result<void> grow_for(usize count) {
        if (count <= capacity_) {
            return {};
        }
        return reserve(grown_capacity(count));
    }

    Result<T*> allocate(usize count) {
        if (count > max_elements) {
            return Errno::enomem;
        }
        void* memory = TRY(detail::heap_allocate(count * sizeof(T), alignof(T)));
        return static_cast<T*>(memory);
    }

    // Moves the elements into fresh (room for count) and releases the old block.
    void adopt(T* fresh, usize count) {
        for (usize i = 0; i < size_; ++i) {
            // SAFETY: i < size_ <= capacity_ of the old block and < count of the new one.
            new (slot(fresh, i)) T(move(*slot(data_, i)));
            slot(data_, i)->~T();
        }
        if (data_ != nullptr) {
            detail::heap_release(data_);
        }
        data_ = fresh;
        capacity_ = count;
    }

    void release() {
        clear();
        if (data_ != nullptr) {
            detail::heap_release(data_);
            data_ = nullptr;
        }
        capacity_ = 0;
    }

    T* data_ = nullptr;
    usize size_ = 0;
    usize capacity_ = 0;
};

} // namespace keel
