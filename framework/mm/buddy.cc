#include "mm/buddy.h"

#include <keel/ktl/assert.h>

namespace keel::mm {

Result<void> BuddyAllocator::add_section(u64 first_pfn, Span<PageInfo> info) {
    if (info.empty() || info.size() >= no_page || sections_.full()) {
        return Errno::einval;
    }
    u64 end = first_pfn + info.size();
    usize at = 0;
    for (; at < sections_.size(); ++at) {
        const Section& s = sections_[at];
        if (first_pfn < s.end_pfn() && s.first_pfn < end) {
            return Errno::einval;
        }
        if (s.first_pfn > first_pfn) {
            break;
        }
    }
    for (PageInfo& p : info) {
        p = PageInfo{};
    }
    Section section;
    section.first_pfn = first_pfn;
    section.info = info;
    for (u32& head : section.free_head) {
        head = no_page;
    }
    managed_pages_ += info.size();
    sections_.insert_at(at, section); // sorted by address: section_of can stop early
    return {};
}

BuddyAllocator::Section* BuddyAllocator::section_of(u64 pfn) {
    for (Section& s : sections_) {
        if (pfn < s.first_pfn) {
            return nullptr;
        }
        if (pfn < s.end_pfn()) {
            return &s;
        }
    }
    return nullptr;
}

PageInfo* BuddyAllocator::info(u64 pfn) {
    Section* s = section_of(pfn);
    return s != nullptr ? &s->info[static_cast<usize>(pfn - s->first_pfn)] : nullptr;
}

void BuddyAllocator::push(Section& s, u32 index, u32 order) {
    PageInfo& p = s.info[index];
    p.state = PageState::free;
    p.order = static_cast<u8>(order);
    p.count = 0;
    p.prev = no_page;
    p.next = s.free_head[order];
    if (p.next != no_page) {
        s.info[p.next].prev = index;
    }
    s.free_head[order] = index;
    for (u32 i = 1; i < (u32{1} << order); ++i) {
        s.info[index + i].state = PageState::free_tail;
    }
}

void BuddyAllocator::unlink(Section& s, u32 index, u32 order) {
    PageInfo& p = s.info[index];
    if (p.prev != no_page) {
        s.info[p.prev].next = p.next;
    } else {
        s.free_head[order] = p.next;
    }
    if (p.next != no_page) {
        s.info[p.next].prev = p.prev;
    }
    p.next = p.prev = no_page;
}

void BuddyAllocator::free_block(Section& s, u64 pfn, u32 order) {
    // Merge upward while the buddy is a free block of the same order inside this section.
    while (order < max_order) {
        u64 buddy = pfn ^ (u64{1} << order);
        if (buddy < s.first_pfn || buddy + (u64{1} << order) > s.end_pfn()) {
            break;
        }
        u32 bi = static_cast<u32>(buddy - s.first_pfn);
        const PageInfo& b = s.info[bi];
        if (b.state != PageState::free || b.order != order) {
            break;
        }
        unlink(s, bi, order);
        pfn = min(pfn, buddy);
        ++order;
    }
    push(s, static_cast<u32>(pfn - s.first_pfn), order);
}

void BuddyAllocator::release_range(u64 pfn, u64 count) {
    u64 end = pfn + count;
    while (pfn < end) {
        Section* s = section_of(pfn);
        KEEL_ASSERT(s != nullptr && end <= s->end_pfn());
        // The largest aligned block starting at pfn that fits before end.
        u32 order = 0;
        while (order < max_order && (pfn & ((u64{1} << (order + 1)) - 1)) == 0 &&
               pfn + (u64{1} << (order + 1)) <= end) {
            ++order;
        }
        for (u64 i = 0; i < (u64{1} << order); ++i) {
            PageState state = s->info[static_cast<usize>(pfn + i - s->first_pfn)].state;
            KEEL_ASSERT(state == PageState::reserved || state == PageState::allocated);
        }
        free_pages_ += u64{1} << order;
        free_block(*s, pfn, order);
        pfn += u64{1} << order;
    }
}

Result<u64> BuddyAllocator::allocate(u32 order) {
    if (order > max_order) {
        return Errno::enomem;
    }
    for (Section& s : sections_) {
        u32 found = order;
        while (found <= max_order && s.free_head[found] == no_page) {
            ++found;
        }
        if (found > max_order) {
            continue;
        }
        u32 index = s.free_head[found];
        unlink(s, index, found);
        // Split down, returning the upper halves.
        while (found > order) {
            --found;
            push(s, index + (u32{1} << found), found);
        }
        for (u32 i = 0; i < (u32{1} << order); ++i) {
            PageInfo& p = s.info[index + i];
            p = PageInfo{};
            p.state = PageState::allocated;
            p.count = 1;
        }
        s.info[index].order = static_cast<u8>(order);
        free_pages_ -= u64{1} << order;
        return s.first_pfn + index;
    }
    return Errno::enomem;
}

Result<u64> BuddyAllocator::allocate_pages(u64 n) {
    if (n == 0) {
        return Errno::einval;
    }
    u32 order = order_for_pages(n);
    u64 pfn = TRY(allocate(order));
    u64 block = u64{1} << order;
    if (n < block) {
        free_pages(pfn + n, block - n);
    }
    return pfn;
}

void BuddyAllocator::free(u64 pfn, u32 order) {
    Section* s = section_of(pfn);
    KEEL_ASSERT(s != nullptr && order <= max_order && pfn + (u64{1} << order) <= s->end_pfn());
    KEEL_ASSERT((pfn & ((u64{1} << order) - 1)) == 0);
    for (u64 i = 0; i < (u64{1} << order); ++i) {
        // Freeing a free page is a double free: the caller's bookkeeping is broken.
        KEEL_ASSERT(s->info[static_cast<usize>(pfn + i - s->first_pfn)].state ==
                    PageState::allocated);
    }
    free_pages_ += u64{1} << order;
    free_block(*s, pfn, order);
}

void BuddyAllocator::free_pages(u64 pfn, u64 count) {
    u64 end = pfn + count;
    while (pfn < end) {
        u32 order = 0;
        while (order < max_order && (pfn & ((u64{1} << (order + 1)) - 1)) == 0 &&
               pfn + (u64{1} << (order + 1)) <= end) {
            ++order;
        }
        free(pfn, order);
        pfn += u64{1} << order;
    }
}

u64 BuddyAllocator::free_blocks(u32 order) const {
    u64 n = 0;
    for (const Section& s : sections_) {
        for (u32 i = s.free_head[order]; i != no_page; i = s.info[i].next) {
            ++n;
        }
    }
    return n;
}

} // namespace keel::mm
