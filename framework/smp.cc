#include "smp.h"

#include <keel/clock.h>
#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/panic.h>

#include <arch/cpu.h>
#include <arch/smp.h>

#include "mm/cpu_local.h"
#include "sched/scheduler.h"
#include <keel/spin_lock.h>

namespace keel::smp {

namespace {
// One pending call per target CPU: callers serialize on the target's lock (a shootdown or a
// wake-up is short), the target runs it from its IPI handler and clears `pending`.
struct CallSlot {
    SpinLock lock;
    void (*fn)(void*) = nullptr;
    void* arg = nullptr;
    bool pending = false;
    u64 handled = 0;
};

constinit Array<CallSlot, max_cpus> slots{};
constinit Array<bool, max_cpus> online{};
constinit u32 online_count = 1;

[[noreturn]] void secondary_entry(u32 index, VirtRange stack) {
    sched::init_cpu(index, stack);
    __atomic_store_n(&online[index], true, __ATOMIC_RELEASE);
    __atomic_fetch_add(&online_count, 1, __ATOMIC_ACQ_REL);
    sched::run_idle();
}
} // namespace

void start_other_cpus() {
    online[0] = true;
    u32 possible = arch::possible_cpus();
    u32 started = possible > 1 ? arch::start_secondary_cpus(&secondary_entry) : 0;
    u64 deadline = clock::monotonic_ns() + u64{2} * 1000 * 1000 * 1000;
    while (__atomic_load_n(&online_count, __ATOMIC_ACQUIRE) < started + 1 &&
           clock::monotonic_ns() < deadline) {
    }
    u32 count = __atomic_load_n(&online_count, __ATOMIC_ACQUIRE);
    log::info("smp: {} of {} CPUs online", count, possible);
    if (count != possible) {
        log::warn("smp: {} CPUs did not come up", possible - count);
    }
}

u32 online_cpus() { return __atomic_load_n(&online_count, __ATOMIC_ACQUIRE); }
bool is_online(u32 cpu) {
    return cpu < max_cpus && __atomic_load_n(&online[cpu], __ATOMIC_ACQUIRE);
}

namespace {
// Claims cpu's call slot for fn(arg), serving calls aimed at this CPU while the slot is busy.
void post(u32 cpu, void (*fn)(void*), void* arg) {
    CallSlot& slot = slots[cpu];
    // Not SpinLockGuard around the wait: waiting for the target must keep this CPU able to
    // answer a call aimed at it (two CPUs calling each other would otherwise deadlock).
    for (;;) {
        u64 saved = slot.lock.lock();
        if (!slot.pending) {
            slot.fn = fn;
            slot.arg = arg;
            __atomic_store_n(&slot.pending, true, __ATOMIC_RELEASE);
            slot.lock.unlock(saved);
            return;
        }
        slot.lock.unlock(saved);
        handle_ipi();
    }
}

void wait_done(u32 cpu) {
    while (__atomic_load_n(&slots[cpu].pending, __ATOMIC_ACQUIRE)) {
        handle_ipi();
    }
}
} // namespace

void call_on(u32 cpu, void (*fn)(void*), void* arg) {
    u64 saved = arch::save_and_disable_interrupts();
    if (cpu == this_cpu()) {
        fn(arg);
        arch::restore_interrupts(saved);
        return;
    }
    if (!is_online(cpu)) {
        arch::restore_interrupts(saved);
        return;
    }
    post(cpu, fn, arg);
    arch::send_ipi(cpu);
    wait_done(cpu);
    arch::restore_interrupts(saved);
}

void call_on_others(void (*fn)(void*), void* arg) {
    // Every CPU is asked before any answer is awaited: one round trip, not one per CPU. Masked,
    // so that the caller stays on the CPU it left out.
    u64 saved = arch::save_and_disable_interrupts();
    u32 self = static_cast<u32>(this_cpu());
    for (u32 cpu = 0; cpu < max_cpus; ++cpu) {
        if (cpu != self && is_online(cpu)) {
            post(cpu, fn, arg);
            arch::send_ipi(cpu);
        }
    }
    for (u32 cpu = 0; cpu < max_cpus; ++cpu) {
        if (cpu != self && is_online(cpu)) {
            wait_done(cpu);
        }
    }
    arch::restore_interrupts(saved);
}

void handle_ipi() {
    CallSlot& slot = slots[this_cpu()];
    if (!__atomic_load_n(&slot.pending, __ATOMIC_ACQUIRE)) {
        return;
    }
    slot.fn(slot.arg);
    ++slot.handled;
    __atomic_store_n(&slot.pending, false, __ATOMIC_RELEASE);
}

u64 ipis_handled(u32 cpu) { return __atomic_load_n(&slots[cpu].handled, __ATOMIC_RELAXED); }

} // namespace keel::smp

namespace keel {

u32 online_cpu_count() { return smp::online_cpus(); }

CpuPin::CpuPin() : saved_(arch::save_and_disable_interrupts()), cpu_(arch::cpu_index()) {}
CpuPin::~CpuPin() { arch::restore_interrupts(saved_); }

} // namespace keel
