// Atomic<T>: a word shared between CPUs without a lock, for integers and pointers. Each access
// names its ordering (Linux's READ_ONCE/WRITE_ONCE are relaxed; a flag that publishes data wants
// release on the store and acquire on the load). The safe subset reaches the compiler's atomic
// builtins only through this.
#pragma once

#include <keel/ktl/types.h>

namespace keel {

enum class MemoryOrder : int {
    relaxed = __ATOMIC_RELAXED,
    acquire = __ATOMIC_ACQUIRE,
    release = __ATOMIC_RELEASE,
    acq_rel = __ATOMIC_ACQ_REL,
    seq_cst = __ATOMIC_SEQ_CST,
};

template <typename T>
class Atomic {
    static_assert(sizeof(T) <= 8 && __is_trivially_copyable(T), "a word the CPU can swap whole");

public:
    constexpr Atomic() = default;
    constexpr explicit Atomic(T value) : value_(value) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(MemoryOrder order = MemoryOrder::seq_cst) const {
        return __atomic_load_n(&value_, static_cast<int>(order));
    }
    void store(T value, MemoryOrder order = MemoryOrder::seq_cst) {
        __atomic_store_n(&value_, value, static_cast<int>(order));
    }
    T exchange(T value, MemoryOrder order = MemoryOrder::seq_cst) {
        return __atomic_exchange_n(&value_, value, static_cast<int>(order));
    }
    // On failure expected becomes the value found.
    bool compare_exchange(T& expected, T desired, MemoryOrder order = MemoryOrder::seq_cst) {
        return __atomic_compare_exchange_n(&value_, &expected, desired, false,
                                           static_cast<int>(order), failure_order(order));
    }
    T fetch_add(T delta, MemoryOrder order = MemoryOrder::seq_cst) {
        return __atomic_fetch_add(&value_, delta, static_cast<int>(order));
    }
    T fetch_sub(T delta, MemoryOrder order = MemoryOrder::seq_cst) {
        return __atomic_fetch_sub(&value_, delta, static_cast<int>(order));
    }
    T fetch_or(T bits, MemoryOrder order = MemoryOrder::seq_cst) {
        return __atomic_fetch_or(&value_, bits, static_cast<int>(order));
    }
    T fetch_and(T bits, MemoryOrder order = MemoryOrder::seq_cst) {
        return __atomic_fetch_and(&value_, bits, static_cast<int>(order));
    }

private:
    // A failed compare-exchange only loads: it may not release.
    static constexpr int failure_order(MemoryOrder order) {
        switch (order) {
        case MemoryOrder::release:
            return __ATOMIC_RELAXED;
        case MemoryOrder::acq_rel:
            return __ATOMIC_ACQUIRE;
        default:
            return static_cast<int>(order);
        }
    }

    T value_{};
};

// Whether T is an Atomic: what another CPU may read and write while this one does (PerCpu::on).
template <typename T>
inline constexpr bool IsAtomic = false;
template <typename U>
inline constexpr bool IsAtomic<Atomic<U>> = true;

} // namespace keel
