#include "mm/frames.h"

#include <keel/frame.h>
#include <keel/ktl/assert.h>

#include <arch/cpu.h>
#include <arch/memory.h>

#include "mm/buddy.h"
#include "mm/cpu_local.h"
#include <keel/spin_lock.h>

namespace keel::mm {

namespace {

// A stack of free single pages per CPU, refilled from and drained to the buddy in batches.
struct PageCache {
    static constexpr usize capacity = 64;
    static constexpr usize batch = 16;
    Array<u64, capacity> pfns{};
    usize count = 0;
};

constinit BuddyAllocator buddy;
constinit SpinLock buddy_lock;
constinit Array<PageCache, max_cpus> caches{};
constinit u64 ram_bytes = 0; // all RAM regions of the memory map
constinit Array<i64, 3> use_pages{};

PageCache& this_cpu_cache() { return caches[this_cpu()]; }

void free_page(u64 pfn) {
    u64 saved = arch::save_and_disable_interrupts();
    PageCache& cache = this_cpu_cache();
    if (cache.count == PageCache::capacity) {
        // Full: give a batch back so the buddy can coalesce it.
        SpinLockGuard guard(buddy_lock);
        for (usize i = 0; i < PageCache::batch; ++i) {
            u64 p = cache.pfns[--cache.count];
            buddy.info(p)->state = PageState::allocated;
            buddy.free(p, 0);
        }
    }
    buddy.info(pfn)->state = PageState::cached;
    cache.pfns[cache.count++] = pfn;
    arch::restore_interrupts(saved);
}

} // namespace

Result<void> init_frame_table(const BootInfo& info, BootAllocator& boot) {
    for (const MemoryRegion& r : info.memory) {
        if (r.kind != MemoryKind::Reserved && r.kind != MemoryKind::Bad) {
            ram_bytes += r.size;
        }
        if (r.kind != MemoryKind::Usable) {
            continue;
        }
        u64 pages = r.size / page_size;
        u64 table_pages = (pages * sizeof(PageInfo) + page_size - 1) / page_size;
        u64 table = TRY(boot.allocate(table_pages));
        // SAFETY: the boot allocator handed out these zeroed pages for good; PageInfo is an
        // implicit-lifetime aggregate and the span covers exactly pages records.
        Span<PageInfo> records = Span<PageInfo>::from_raw(
            reinterpret_cast<PageInfo*>(arch::phys_to_virt(table)), static_cast<usize>(pages));
        TRY(buddy.add_section(pfn_of(r.base), records));
    }
    return {};
}

void release_unused_boot_memory(const BootInfo& info, const BootAllocator& boot) {
    SpinLockGuard guard(buddy_lock);
    boot.for_each_unused(
        info, [](u64 base, u64 size) { buddy.release_range(pfn_of(base), size / page_size); });
}

Result<u64> allocate_pages(u64 count) {
    if (count == 1) {
        return allocate_page();
    }
    SpinLockGuard guard(buddy_lock);
    return buddy.allocate_pages(count);
}

Result<u64> allocate_page() {
    u64 saved = arch::save_and_disable_interrupts();
    PageCache& cache = this_cpu_cache();
    if (cache.count == 0) {
        SpinLockGuard guard(buddy_lock);
        while (cache.count < PageCache::batch) {
            Result<u64> pfn = buddy.allocate(0);
            if (pfn.is_error()) {
                break;
            }
            buddy.info(pfn.value())->state = PageState::cached;
            cache.pfns[cache.count++] = pfn.value();
        }
    }
    Result<u64> result = Errno::enomem;
    if (cache.count > 0) {
        u64 pfn = cache.pfns[--cache.count];
        PageInfo& p = *buddy.info(pfn);
        p = PageInfo{};
        p.state = PageState::allocated;
        p.count = 1;
        result = pfn;
    }
    arch::restore_interrupts(saved);
    return result;
}

PageInfo& page_info(u64 pfn) {
    PageInfo* p = buddy.info(pfn);
    KEEL_ASSERT(p != nullptr);
    return *p;
}

bool is_managed(u64 pfn) { return buddy.info(pfn) != nullptr; }

void get_page(u64 pfn) {
    PageInfo& p = page_info(pfn);
    KEEL_ASSERT(p.state == PageState::allocated);
    u32 before = __atomic_fetch_add(&p.count, 1, __ATOMIC_RELAXED);
    KEEL_ASSERT(before > 0);
}

void put_page(u64 pfn) {
    PageInfo& p = page_info(pfn);
    KEEL_ASSERT(p.state == PageState::allocated);
    u32 before = __atomic_fetch_sub(&p.count, 1, __ATOMIC_ACQ_REL);
    KEEL_ASSERT(before > 0); // a put without a get: somebody's bookkeeping is broken
    if (before == 1) {
        free_page(pfn);
    }
}

u32 page_ref_count(u64 pfn) { return __atomic_load_n(&page_info(pfn).count, __ATOMIC_RELAXED); }

Span<u8> page_bytes(u64 pfn, u64 count) {
    // SAFETY: the caller owns these pages (a reference or an allocation); the linear map covers
    // all RAM once the kernel address space is up.
    return Span<u8>::from_raw(reinterpret_cast<u8*>(arch::phys_to_virt(phys_of(pfn))),
                              static_cast<usize>(count * page_size));
}

void zero_pages(u64 pfn, u64 count) {
    for (u8& b : page_bytes(pfn, count)) {
        b = 0;
    }
}

void account(PageUse use, i64 pages) {
    __atomic_fetch_add(&use_pages[static_cast<usize>(use)], pages, __ATOMIC_RELAXED);
}

} // namespace keel::mm

namespace keel {

MemInfo mem_info() {
    using namespace mm;
    MemInfo m;
    u64 cached = 0;
    for (const PageCache& c : caches) {
        cached += c.count;
    }
    {
        SpinLockGuard guard(buddy_lock);
        m.total_bytes = buddy.managed_count() * page_size;
        m.free_bytes = (buddy.free_count() + cached) * page_size;
    }
    auto bytes = [](PageUse use) {
        return static_cast<u64>(
                   __atomic_load_n(&use_pages[static_cast<usize>(use)], __ATOMIC_RELAXED)) *
               page_size;
    };
    m.slab_bytes = bytes(PageUse::slab);
    m.page_table_bytes = bytes(PageUse::page_table);
    m.kernel_stack_bytes = bytes(PageUse::kernel_stack);
    m.reserved_bytes = ram_bytes - m.total_bytes;
    return m;
}

} // namespace keel
