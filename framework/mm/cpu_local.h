// Per-CPU data, indexed by the running CPU's index, which each arch keeps in a per-CPU
// register (arch/smp.h).
#pragma once

#include <keel/per_cpu.h>

#include <arch/smp.h>

namespace keel {

inline usize this_cpu() { return arch::cpu_index(); }

} // namespace keel
