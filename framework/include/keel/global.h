// Kernel-wide state for the safe subset, the counterpart of Rust's `static X: Mutex<T>`:
// services and drivers have no mutable globals, but may declare a constant Global whose value
// is reached only under its lock. The object itself is immutable; what changes lives inside and
// every access is serialized, so there is no unsynchronized shared state to get wrong.
//
//   KEEL_GLOBAL(Vector<RefPtr<BlockDevice>>, block_devices);
//   block_devices.with([&](Vector<RefPtr<BlockDevice>>& all) { return all.push_back(disk); });
//
// The lock is a SpinLock (interrupts masked while held): the callback must be short and must
// not sleep. Globals are constant-initialized and never destroyed (a kernel does not exit).
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>
#include <keel/spin_lock.h>

namespace keel {

namespace detail {
// Whether a value of R can point into something (what Global::with must not return: it would
// outlive the lock). The language sees pointers, references, member pointers and the
// framework's view types, also inside Result and Optional; a record of the caller's own with a
// pointer member is not seen here (the gate's owned_callable/pointer rules are the other half).
template <typename R>
constexpr bool can_view = __is_pointer(R) || __is_reference(R) || __is_member_pointer(R);
template <typename R>
constexpr bool can_view<const R> = can_view<R>;
template <typename R>
constexpr bool can_view<Span<R>> = true;
template <>
inline constexpr bool can_view<StringView> = true;
template <typename R>
constexpr bool can_view<Result<R>> = can_view<R>;
template <typename R>
constexpr bool can_view<Optional<R>> = can_view<R>;
} // namespace detail

template <typename T>
class Global {
public:
    constexpr Global() = default;
    Global(const Global&) = delete;
    Global& operator=(const Global&) = delete;

    // fn's result is returned by value and must not point into the value (or anything else):
    // the lock is released before the caller sees it.
    template <typename Fn>
    auto with(Fn&& fn) const {
        using R = decltype(fn(value_));
        static_assert(!detail::can_view<R>,
                      "Global::with: the callback returns a reference, pointer or view, which "
                      "would outlive the lock; return a copy (or an owning handle) instead");
        SpinLockGuard guard(lock_);
        return fn(value_);
    }

private:
    mutable SpinLock lock_;
    mutable T value_{};
};

} // namespace keel

// Declares a Global at namespace scope: constant-initialized (no constructor runs at boot) and
// never destroyed.
#define KEEL_GLOBAL(Type, name) [[clang::no_destroy]] constinit const ::keel::Global<Type> name
