// Fallible heap ownership, the only way services and drivers allocate: Box<T> owns one object,
// RefPtr<T> shares one (T derives from RefCounted<T>). make_box/make_ref return ENOMEM instead
// of throwing; the kernel has no global operator new, so `new T` does not even link.
//
// Handles cannot be forged: nothing adopts a pointer. A Box or RefPtr is built only in a
// detail::HeapBlock, fresh memory that only the heap makes (its constructor takes the
// FrameworkKey), or moved from another handle; those constructors are public and sound for any
// caller, so an overload or specialization of make_box/make_ref written outside the framework
// gains nothing. Box has no friends. RefPtr and RefCounted are friends of every RefPtr<U> (the
// upcasting copy, and only RefPtr moves the count): that grant reaches a services file only
// through an explicit specialization of RefPtr, which C++ allows anyone to write and the
// safe-subset gate rejects (rule no-framework-specialization; tests/gate/bad_specialize_*.cc).
//
// Handles are checked on use: dereferencing an empty one (moved from) panics with the handle's
// name instead of reading through null: one test of the pointer.
#pragma once

#include <keel/framework_key.h>
#include <keel/ktl/assert.h>
#include <keel/ktl/result.h>
#include <keel/ktl/utility.h>

namespace keel {

namespace detail {
// The kernel heap (framework/mm/heap.cc): size-class slabs, and whole pages for large objects.
Result<void*> heap_allocate(usize size, usize align);
void heap_release(void* object);

// Fresh heap memory for one object, owned (and released) until an object is built in it.
class HeapBlock {
public:
    // At least size bytes aligned to align: EINVAL for 0 or an alignment that is not a power
    // of two, ENOMEM when the heap has none.
    static Result<HeapBlock> allocate(usize size, usize align);

    HeapBlock(HeapBlock&& other) noexcept
        : memory_(other.memory_), size_(other.size_), align_(other.align_) {
        other.memory_ = nullptr;
    }
    HeapBlock& operator=(HeapBlock&&) = delete;
    HeapBlock(const HeapBlock&) = delete;
    HeapBlock& operator=(const HeapBlock&) = delete;
    ~HeapBlock() {
        if (memory_ != nullptr) {
            heap_release(memory_);
        }
    }

    // Builds a T in the block, which owns it no more: the caller's handle does.
    template <typename T, typename... Args>
    T* build(Args&&... args) && {
        KEEL_ASSERT(memory_ != nullptr && sizeof(T) <= size_ && alignof(T) <= align_);
        void* memory = memory_;
        memory_ = nullptr;
        // SAFETY: memory is a live heap block of at least sizeof(T) bytes aligned to alignof(T)
        // (checked above) that nothing else refers to; the caller's handle now owns the T.
        return new (memory) T(forward<Args>(args)...);
    }

    // The heap's own (framework/heap_block.cc): memory it has just allocated.
    HeapBlock(FrameworkKey, void* memory, usize size, usize align);

private:
    void* memory_;
    usize size_;
    usize align_;
};

// A conversion of a derived object's pointer to its base that keeps the address: the handle
// releases the base's pointer to the heap, which knows only the address it handed out (a
// non-primary base, at an offset, would free the wrong address).
template <typename T, typename U>
T* same_address_upcast(U* object) {
    T* base = object;
    KEEL_ASSERT(static_cast<const void*>(base) == static_cast<const void*>(object));
    return base;
}
} // namespace detail

template <typename T>
class Box {
public:
    Box(Box&& other) noexcept : object_(other.object_) { other.object_ = nullptr; }
    template <typename U>
        requires(__is_convertible(U*, T*) && __has_virtual_destructor(T))
    Box(Box<U>&& other) noexcept // NOLINT: implicit upcast by design
        : object_(detail::same_address_upcast<T>(other.leak())) {}
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

    // A new T from args in block (what make_box calls).
    template <typename... Args>
    explicit Box(detail::HeapBlock block, Args&&... args)
        : object_(move(block).template build<T>(forward<Args>(args)...)) {}

    // Panic on an empty (moved-from) Box rather than dereference null.
    T* operator->() const { return checked(); }
    T& operator*() const { return *checked(); }
    // A moved-from Box is empty.
    explicit operator bool() const { return object_ != nullptr; }

    // Gives up ownership: the object lives on, never destroyed (Rust's Box::leak; safe, as
    // nothing adopts a pointer back). Null for an empty Box.
    T* leak() {
        T* o = object_;
        object_ = nullptr;
        return o;
    }

private:
    T* checked() const {
        if (object_ == nullptr) {
            detail::empty_handle_used("Box");
        }
        return object_;
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
    detail::HeapBlock block = TRY(detail::HeapBlock::allocate(sizeof(T), alignof(T)));
    return Box<T>(move(block), forward<Args>(args)...);
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
    friend class RefPtr; // counts move only through RefPtr (see the top of the file)
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
    RefPtr(RefPtr<U> other) // NOLINT: implicit upcast by design
        : object_(detail::same_address_upcast<T>(other.leak())) {}
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

    // A new T from args in block, count 1 (what make_ref calls).
    template <typename... Args>
    explicit RefPtr(detail::HeapBlock block, Args&&... args)
        : object_(move(block).template build<T>(forward<Args>(args)...)) {}

    // Panic on an empty (moved-from) RefPtr rather than dereference null.
    T* operator->() const { return checked(); }
    T& operator*() const { return *checked(); }
    explicit operator bool() const { return object_ != nullptr; }
    bool operator==(const RefPtr& other) const { return object_ == other.object_; }

private:
    template <typename U>
    friend class RefPtr; // the upcasting copy takes the other's reference (top of the file)

    T* leak() {
        T* o = object_;
        object_ = nullptr;
        return o;
    }
    T* checked() const {
        if (object_ == nullptr) {
            detail::empty_handle_used("RefPtr");
        }
        return object_;
    }
    T* object_;
};

template <typename T, typename... Args>
Result<RefPtr<T>> make_ref(Args&&... args) {
    detail::HeapBlock block = TRY(detail::HeapBlock::allocate(sizeof(T), alignof(T)));
    return RefPtr<T>(move(block), forward<Args>(args)...);
}

} // namespace keel
