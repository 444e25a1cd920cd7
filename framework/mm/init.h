#pragma once

#include <keel/boot_info.h>

namespace keel::mm {

// Brings up the frame allocator, the kernel address space (and switches to it), the dynamic
// area and the heap, then logs the memory report. Runs once, on the boot CPU, before services.
void init_memory(const BootInfo& info);

} // namespace keel::mm
