// Bringing up the other CPUs and running work on them: cross-CPU calls over IPIs (the TLB
// shootdown and the scheduler's wake-ups use them).
#pragma once

#include <keel/ktl/types.h>

namespace keel::smp {

// Starts the other CPUs (after the scheduler is up on the boot CPU) and waits until each is
// online; logs the count.
void start_other_cpus();

u32 online_cpus();
bool is_online(u32 cpu);

// Runs fn(arg) on CPU cpu (in its IPI handler, interrupts masked) and waits until it ran. On this
// CPU it just calls fn.
void call_on(u32 cpu, void (*fn)(void*), void* arg);
// The same on every online CPU but this one.
void call_on_others(void (*fn)(void*), void* arg);

// The arch's IPI handler calls this.
void handle_ipi();

u64 ipis_handled(u32 cpu);

} // namespace keel::smp
