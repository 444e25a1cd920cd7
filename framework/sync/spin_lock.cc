#include <keel/spin_lock.h>

#include <arch/cpu.h>

namespace keel {

u64 SpinLock::lock() {
    u64 saved = arch::save_and_disable_interrupts();
    u32 ticket = __atomic_fetch_add(&next_, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&serving_, __ATOMIC_ACQUIRE) != ticket) {
        // A pause/yield hint per arch can come with SMP contention numbers.
    }
    return saved;
}

void SpinLock::unlock(u64 saved) {
    __atomic_store_n(&serving_, serving_ + 1, __ATOMIC_RELEASE);
    arch::restore_interrupts(saved);
}

} // namespace keel
