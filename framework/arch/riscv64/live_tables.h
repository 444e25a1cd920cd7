// riscv64: the page tables the hart is using right now (satp), read through the page-table
// engine: for the fault handler (mapped or not?) and the ktests (what does the hardware see?).
#pragma once

#include <keel/ktl/optional.h>

#include "mm/page_table.h"

namespace keel::arch::riscv {

// The leaf mapping va in the active tables, if any (none for non-canonical addresses).
Optional<mm::Mapping> query_active(uptr va);

// The physical address of the active root table.
u64 active_root();

// The 4 KiB leaf entry that maps va in the active tables, through the linear map; nullptr when
// va is unmapped or mapped by a larger leaf.
u64* active_page_entry(uptr va);

} // namespace keel::arch::riscv
