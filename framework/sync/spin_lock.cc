#include <keel/spin_lock.h>

#include <arch/cpu.h>

#include "smp.h"

namespace keel {

u64 SpinLock::lock() {
    u64 saved = arch::save_and_disable_interrupts();
    u32 ticket = __atomic_fetch_add(&next_, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&serving_, __ATOMIC_ACQUIRE) != ticket) {
        // Interrupts are masked while we spin, so a cross-CPU call (a TLB shootdown) aimed at
        // this CPU by the lock's holder would wait forever: serve it from here.
        smp::handle_ipi();
    }
    return saved;
}

bool SpinLock::try_lock(u64& saved) {
    saved = arch::save_and_disable_interrupts();
    u32 serving = __atomic_load_n(&serving_, __ATOMIC_ACQUIRE);
    u32 expected = serving;
    if (__atomic_compare_exchange_n(&next_, &expected, serving + 1, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        return true;
    }
    arch::restore_interrupts(saved);
    return false;
}

void SpinLock::unlock(u64 saved) {
    __atomic_store_n(&serving_, serving_ + 1, __ATOMIC_RELEASE);
    arch::restore_interrupts(saved);
}

} // namespace keel
