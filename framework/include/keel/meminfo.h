// Memory counters in the spirit of /proc/meminfo, kept by the framework as it allocates.
#pragma once

#include <keel/ktl/types.h>

namespace keel {

struct MemInfo {
    u64 total_bytes = 0;        // RAM the frame allocator manages
    u64 free_bytes = 0;         // of it, free (buddy lists and per-CPU caches)
    u64 slab_bytes = 0;         // pages backing the kernel heap's slabs and large allocations
    u64 page_table_bytes = 0;   // pages holding page tables, kernel and user
    u64 kernel_stack_bytes = 0; // pages backing kernel stacks
    u64 reserved_bytes = 0;     // RAM not managed: kernel image, initrd, firmware, frame table
};

MemInfo mem_info();

} // namespace keel
