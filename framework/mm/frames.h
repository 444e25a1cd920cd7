// The frame allocator: the buddy allocator over all usable RAM, behind one lock, with a per-CPU
// cache of single pages in front (most allocations are one page; the cache keeps them off the
// lock and, with SMP, off the shared cache lines). Every page carries a reference count in its
// PageInfo; the page is freed when the count drops to zero.
#pragma once

#include <keel/boot_info.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/meminfo.h>
#include <keel/page.h>

#include "mm/boot_allocator.h"
#include "mm/frame_info.h"

namespace keel::mm {

constexpr u64 pfn_of(u64 phys) { return phys >> page_shift; }
constexpr u64 phys_of(u64 pfn) { return pfn << page_shift; }

// Builds the frame table for every usable region (from the boot allocator) and registers the
// sections; nothing is allocatable until release_unused_boot_memory.
Result<void> init_frame_table(const BootInfo& info, BootAllocator& boot);
void release_unused_boot_memory(const BootInfo& info, const BootAllocator& boot);

// count contiguous pages, each with one reference; not zeroed. ENOMEM.
Result<u64> allocate_pages(u64 count);
Result<u64> allocate_page();
// Takes and drops references; the last drop frees the page.
void get_page(u64 pfn);
void put_page(u64 pfn);
u32 page_ref_count(u64 pfn);
// The page's record; the pfn must be managed RAM (asserted).
PageInfo& page_info(u64 pfn);
bool is_managed(u64 pfn);

// The bytes of pages the caller owns, through the linear map.
Span<u8> page_bytes(u64 pfn, u64 count = 1);
void zero_pages(u64 pfn, u64 count);

// What the counters in MemInfo are made of.
enum class PageUse : u8 { slab, page_table, kernel_stack };
void account(PageUse use, i64 pages);

} // namespace keel::mm
