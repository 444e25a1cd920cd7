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

#include <keel/spin_lock.h>

namespace keel {

template <typename T>
class Global {
public:
    constexpr Global() = default;
    Global(const Global&) = delete;
    Global& operator=(const Global&) = delete;

    template <typename Fn>
    decltype(auto) with(Fn&& fn) const {
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
