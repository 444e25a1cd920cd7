#include "mm/heap.h"

#include <keel/box.h>
#include <keel/ktl/array.h>
#include <keel/panic.h>

#include <arch/memory.h>

#include "mm/frames.h"
#include <keel/spin_lock.h>

namespace keel::mm {

namespace {

#if defined(KEEL_DEBUG_CHECKS) && KEEL_DEBUG_CHECKS
constexpr bool debug_checks = true;
#else
constexpr bool debug_checks = false;
#endif

constexpr u8 poison = 0x6b; // Linux's POISON_FREE: recognisable in a dump
constexpr u16 end_of_list = 0xffff;
constexpr Array<u16, 10> class_sizes{16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048};

struct SizeClass {
    SpinLock lock;
    u32 partial = no_page; // pfn of the first slab with a free object (pfns fit 32 bits: 16 TiB)
    u64 in_use = 0;
};

constinit Array<SizeClass, class_sizes.size()> classes{};
constinit u64 large_pages = 0;

Span<u8> object_bytes(u64 pfn, usize offset, usize size) {
    return page_bytes(pfn).subspan(offset, size);
}

u16 next_free(u64 pfn, usize offset) {
    Span<u8> b = object_bytes(pfn, offset, 2);
    return static_cast<u16>(b[0] | b[1] << 8);
}

void set_next_free(u64 pfn, usize offset, u16 next) {
    Span<u8> b = object_bytes(pfn, offset, 2);
    b[0] = static_cast<u8>(next);
    b[1] = static_cast<u8>(next >> 8);
}

usize class_for(usize size, usize align) {
    for (usize i = 0; i < class_sizes.size(); ++i) {
        usize s = class_sizes[i];
        // Objects sit at multiples of their size in a page-aligned slab: aligned to the largest
        // power of two dividing the size.
        if (s >= size && (s & (0 - s)) >= align) {
            return i;
        }
    }
    return class_sizes.size();
}

void unlink_partial(SizeClass& c, u64 pfn) {
    PageInfo& p = page_info(pfn);
    if (p.prev != no_page) {
        page_info(p.prev).next = p.next;
    } else {
        c.partial = p.next;
    }
    if (p.next != no_page) {
        page_info(p.next).prev = p.prev;
    }
    p.next = p.prev = no_page;
}

void push_partial(SizeClass& c, u64 pfn) {
    PageInfo& p = page_info(pfn);
    p.prev = no_page;
    p.next = c.partial;
    if (c.partial != no_page) {
        page_info(c.partial).prev = static_cast<u32>(pfn);
    }
    c.partial = static_cast<u32>(pfn);
}

Result<u64> new_slab(usize index) {
    u64 pfn = TRY(allocate_page());
    usize size = class_sizes[index];
    usize objects = page_size / size;
    PageInfo& p = page_info(pfn);
    p.state = PageState::slab;
    p.order = static_cast<u8>(index);
    p.count = 0;
    p.aux = 0;
    p.next = p.prev = no_page;
    for (usize i = 0; i < objects; ++i) {
        usize offset = i * size;
        if (debug_checks) {
            for (u8& b : object_bytes(pfn, offset, size)) {
                b = poison;
            }
        }
        set_next_free(pfn, offset, i + 1 < objects ? static_cast<u16>(offset + size) : end_of_list);
    }
    account(PageUse::slab, 1);
    return pfn;
}

uptr address_of(u64 pfn, usize offset) { return arch::phys_to_virt(phys_of(pfn)) + offset; }

void check_poison(u64 pfn, usize offset, usize size) {
    Span<u8> bytes = object_bytes(pfn, offset, size);
    for (usize i = 2; i < size; ++i) {
        if (bytes[i] != poison) {
            panic("heap: object {:#x} (size {}) was written after it was freed (byte {})",
                  address_of(pfn, offset), size, i);
        }
    }
}

Result<void*> allocate_small(usize index) {
    SizeClass& c = classes[index];
    usize size = class_sizes[index];
    SpinLockGuard guard(c.lock);
    if (c.partial == no_page) {
        u64 pfn = TRY(new_slab(index));
        push_partial(c, pfn);
    }
    u64 pfn = c.partial;
    PageInfo& p = page_info(pfn);
    usize offset = p.aux;
    p.aux = next_free(pfn, offset);
    p.count += 1;
    if (p.aux == end_of_list) {
        unlink_partial(c, pfn); // full: off the list until an object comes back
    }
    if (debug_checks) {
        check_poison(pfn, offset, size);
    }
    for (u8& b : object_bytes(pfn, offset, size)) {
        b = 0;
    }
    c.in_use += 1;
    // SAFETY: the object is [offset, offset + size) of a slab page this class owns, reached
    // through the linear map; it is handed out once until released.
    return reinterpret_cast<void*>(address_of(pfn, offset));
}

void release_small(u64 pfn, usize offset) {
    PageInfo& p = page_info(pfn);
    usize index = p.order;
    SizeClass& c = classes[index];
    usize size = class_sizes[index];
    SpinLockGuard guard(c.lock);
    if (offset % size != 0 || offset + size > page_size) {
        panic("heap: release of {:#x}, which is not an object of its slab",
              address_of(pfn, offset));
    }
    if (debug_checks) {
        for (u16 at = p.aux; at != end_of_list; at = next_free(pfn, at)) {
            if (at == offset) {
                panic("heap: double free of {:#x} (size {})", address_of(pfn, offset), size);
            }
        }
        for (u8& b : object_bytes(pfn, offset, size)) {
            b = poison;
        }
    }
    bool was_full = p.aux == end_of_list;
    set_next_free(pfn, offset, p.aux);
    p.aux = static_cast<u16>(offset);
    p.count -= 1;
    c.in_use -= 1;
    if (p.count == 0 && !(was_full && c.partial == no_page)) {
        // Empty: the page goes back, unless it would leave the class without any slab.
        if (!was_full) {
            unlink_partial(c, pfn);
        }
        p = PageInfo{};
        p.state = PageState::allocated;
        p.count = 1;
        account(PageUse::slab, -1);
        put_page(pfn);
        return;
    }
    if (was_full) {
        push_partial(c, pfn);
    }
}

} // namespace

HeapStats heap_stats() {
    HeapStats stats;
    stats.large_pages = __atomic_load_n(&large_pages, __ATOMIC_RELAXED);
    MemInfo m = mem_info();
    stats.slab_pages = m.slab_bytes / page_size - stats.large_pages;
    for (SizeClass& c : classes) {
        SpinLockGuard guard(c.lock);
        stats.objects_in_use += c.in_use;
    }
    return stats;
}

} // namespace keel::mm

namespace keel::detail {

Result<void*> heap_allocate(usize size, usize align) {
    using namespace mm;
    if (size == 0 || !is_power_of_two(align) || align > page_size) {
        return Errno::einval;
    }
    usize index = class_for(size, align);
    if (index < class_sizes.size()) {
        return allocate_small(index);
    }
    u64 pages = (u64{size} + page_size - 1) / page_size;
    if (pages > 0xffff) {
        return Errno::enomem; // larger than any heap object should be: use a Segment
    }
    u64 pfn = TRY(allocate_pages(pages));
    PageInfo& head = page_info(pfn);
    head.state = PageState::large;
    head.aux = static_cast<u16>(pages);
    account(PageUse::slab, static_cast<i64>(pages));
    __atomic_fetch_add(&large_pages, pages, __ATOMIC_RELAXED);
    zero_pages(pfn, pages);
    // SAFETY: pages freshly allocated for this object, reached through the linear map.
    return reinterpret_cast<void*>(address_of(pfn, 0));
}

void heap_release(void* object) {
    using namespace mm;
    // SAFETY: only the object's address is taken, to find its page; nothing is read through it.
    uptr va = reinterpret_cast<uptr>(object);
    uptr linear = arch::phys_to_virt(0);
    u64 pfn = pfn_of(va - linear);
    if (va < linear || !is_managed(pfn)) {
        panic("heap: release of {:#x}, which the heap never returned", va);
    }
    PageInfo& p = page_info(pfn);
    usize offset = va & (page_size - 1);
    if (p.state == PageState::slab) {
        release_small(pfn, offset);
        return;
    }
    if (p.state != PageState::large || offset != 0) {
        panic("heap: release of {:#x}, which is not a live heap object (double free?)", va);
    }
    u64 pages = p.aux;
    p.state = PageState::allocated;
    p.aux = 0;
    if (debug_checks) {
        for (u8& b : page_bytes(pfn, pages)) {
            b = poison;
        }
    }
    account(PageUse::slab, -static_cast<i64>(pages));
    __atomic_fetch_sub(&large_pages, pages, __ATOMIC_RELAXED);
    for (u64 i = 0; i < pages; ++i) {
        put_page(pfn + i);
    }
}

} // namespace keel::detail
