// The buddy allocator over physical page frames (Knuth's buddy system, as in Linux's zone
// allocator): blocks of 2^order pages, aligned to their size in physical page numbers, split on
// allocation and merged with their buddy on free. Memory comes in sections (one per usable
// region of the memory map), each with its slice of the frame table; a block never spans two
// sections. The allocator touches only PageInfo records, never the pages, so host tests run it
// on a frame table alone. Not locked: the frame allocator (frames.cc) serializes it.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>

#include "mm/frame_info.h"

namespace keel::mm {

class BuddyAllocator {
public:
    static constexpr u32 max_order = 10; // 4 MiB blocks
    static constexpr usize max_sections = 64;

    // Adds the pages [first_pfn, first_pfn + info.size()) with their frame-table slice, all
    // reserved (nothing is allocatable until release_range). Sections must not overlap.
    Result<void> add_section(u64 first_pfn, Span<PageInfo> info);

    // Hands reserved pages to the allocator, as maximal aligned blocks.
    void release_range(u64 pfn, u64 count);

    // A block of 2^order pages: the first page becomes `allocated` with count 1, the others
    // `allocated` with count 1 too (every page carries its own reference count). ENOMEM when no
    // block that large is free.
    Result<u64> allocate(u32 order);

    // n contiguous pages (not necessarily a power of two): the block's unused tail goes back.
    Result<u64> allocate_pages(u64 n);

    // Returns one page or an aligned block whose pages the caller owns.
    void free(u64 pfn, u32 order);
    // Returns any run of owned pages, as maximal aligned blocks.
    void free_pages(u64 pfn, u64 count);

    // The record of a managed page, or none for a page outside every section.
    PageInfo* info(u64 pfn);

    u64 free_count() const { return free_pages_; }
    u64 managed_count() const { return managed_pages_; }
    u64 free_blocks(u32 order) const; // for tests and the boot report

private:
    struct Section {
        u64 first_pfn = 0;
        Span<PageInfo> info;
        Array<u32, max_order + 1> free_head{};
        u64 end_pfn() const { return first_pfn + info.size(); }
    };

    Section* section_of(u64 pfn);
    void push(Section& s, u32 index, u32 order);
    void unlink(Section& s, u32 index, u32 order);
    void free_block(Section& s, u64 pfn, u32 order);

    FixedVector<Section, max_sections> sections_;
    u64 free_pages_ = 0;
    u64 managed_pages_ = 0;
};

// The order of the smallest block holding n pages.
constexpr u32 order_for_pages(u64 n) {
    u32 order = 0;
    while ((u64{1} << order) < n) {
        ++order;
    }
    return order;
}

} // namespace keel::mm
