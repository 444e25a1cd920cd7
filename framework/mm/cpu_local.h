// Per-CPU data, indexed by the running CPU. Until SMP bring-up gives each CPU its index register
// (issue 4), only the boot CPU runs kernel code, and its index is 0.
#pragma once

#include <keel/ktl/types.h>

namespace keel {

inline constexpr usize max_cpus = 64;

inline usize this_cpu() { return 0; }

} // namespace keel
