// Fallible heap ownership, the only way services and drivers allocate: Box<T> owns one object,
// RefPtr<T> shares one (T derives from RefCounted<T>). make_box/make_ref return ENOMEM instead
// of throwing; the kernel has no global operator new, so `new T` does not even link.
#pragma once

#include <keel/ktl/result.h>
#include <keel/ktl/utility.h>

namespace keel {

namespace detail {
// The kernel heap (framework/mm/heap.cc): size-class slabs, and whole pages for large objects.
Result<void*> heap_allocate(usize size, usize align);
void heap_release(void* object);
} // namespace detail

template <typename T>
class Box {
public:
    Box(Box&& other) noexcept : object_(other.object_) { other.object_ = nullptr; }
    template <typename U>
        requires(__is_convertible(U*, T*) && __has_virtual_destructor(T))
    Box(Box<U>&& other) noexcept : object_(other.leak()) {} // NOLINT: implicit upcast by design
    Box& operator=(Box&& other) noexcept {
        if (this != &other) {
            reset();
            object_ = other.object_;
            other.object_ = nullptr;
        }
        return *this;
    }
    Box(const Box&) = delete;
    Box& operator=(const Box&) = delete;
    ~Box() { reset(); }

    T* operator->() const { return object_; }
    T& operator*() const { return *object_; }
    // A moved-from Box is empty.
    explicit operator bool() const { return object_ != nullptr; }

private:
    template <typename U, typename... Args>
    friend Result<Box<U>> make_box(Args&&... args);
    template <typename U>
    friend class Box;

    explicit Box(T* object) : object_(object) {}
    T* leak() {
        T* o = object_;
        object_ = nullptr;
        return o;
    }
    void reset() {
        if (object_ != nullptr) {
            object_->~T();
            detail::heap_release(object_);
            object_ = nullptr;
        }
    }
    T* object_;
};

template <typename T, typename... Args>
Result<Box<T>> make_box(Args&&... args) {
    void* memory = TRY(detail::heap_allocate(sizeof(T), alignof(T)));
    return Box<T>(new (memory) T(forward<Args>(args)...));
}

// The base of objects shared through RefPtr: the count lives in the object (intrusive), so a
// RefPtr is one pointer and can be made from `this`.
template <typename T>
class RefCounted {
public:
    RefCounted(const RefCounted&) = delete;
    RefCounted& operator=(const RefCounted&) = delete;

    u32 ref_count() const { return __atomic_load_n(&count_, __ATOMIC_RELAXED); }

protected:
    RefCounted() = default;
    ~RefCounted() = default;

private:
    template <typename U>
    friend class RefPtr;
    void add_ref() const { __atomic_fetch_add(&count_, 1, __ATOMIC_RELAXED); }
    bool drop_ref() const { return __atomic_fetch_sub(&count_, 1, __ATOMIC_ACQ_REL) == 1; }
    mutable u32 count_ = 1;
};

template <typename T>
class RefPtr {
public:
    RefPtr(const RefPtr& other) : object_(other.object_) {
        if (object_ != nullptr) {
            object_->add_ref();
        }
    }
    RefPtr(RefPtr&& other) noexcept : object_(other.object_) { other.object_ = nullptr; }
    // A derived object shared as its base: the base destroys it, so its destructor is virtual.
    template <typename U>
        requires(__is_convertible(U*, T*) && __has_virtual_destructor(T))
    RefPtr(RefPtr<U> other) : object_(other.leak()) {} // NOLINT: implicit upcast by design
    RefPtr& operator=(RefPtr other) noexcept {
        swap(object_, other.object_);
        return *this;
    }
    ~RefPtr() {
        if (object_ != nullptr && object_->drop_ref()) {
            object_->~T();
            detail::heap_release(object_);
        }
    }

    T* operator->() const { return object_; }
    T& operator*() const { return *object_; }
    explicit operator bool() const { return object_ != nullptr; }
    bool operator==(const RefPtr& other) const { return object_ == other.object_; }

private:
    template <typename U, typename... Args>
    friend Result<RefPtr<U>> make_ref(Args&&... args);

    template <typename U>
    friend class RefPtr;

    explicit RefPtr(T* adopted) : object_(adopted) {}
    T* leak() {
        T* o = object_;
        object_ = nullptr;
        return o;
    }
    T* object_;
};

template <typename T, typename... Args>
Result<RefPtr<T>> make_ref(Args&&... args) {
    void* memory = TRY(detail::heap_allocate(sizeof(T), alignof(T)));
    return RefPtr<T>(new (memory) T(forward<Args>(args)...));
}

} // namespace keel
