// Time since boot, from the architecture's free-running counter.
#pragma once

#include <keel/ktl/types.h>

namespace keel::clock {

u64 monotonic_ns();

} // namespace keel::clock
