#include "mm/kernel_vm.h"

#include <keel/ktl/array.h>
#include <keel/ktl/fixed_vector.h>

#include <arch/memory.h>

#include "mm/frames.h"
#include "mm/kernel_space.h"
#include <keel/spin_lock.h>

namespace keel::mm {

namespace {
constexpr usize slot_size = 32 * 1024;
constexpr usize stack_slots = 4096; // 128 MiB of the dynamic area
constexpr u64 stack_area_size = u64{slot_size} * stack_slots;

struct Extent {
    uptr base = 0;
    u64 size = 0;
};

constinit SpinLock vm_lock;
constinit uptr stack_area = 0;
constinit Array<u8, stack_slots> slot_pages{}; // 0: free slot; else the stack's pages
constinit FixedVector<Extent, 256> free_extents;

Result<uptr> allocate_va(u64 size) {
    SpinLockGuard guard(vm_lock);
    for (usize i = 0; i < free_extents.size(); ++i) {
        Extent& e = free_extents[i];
        if (e.size >= size) {
            uptr va = e.base;
            e.base += size;
            e.size -= size;
            if (e.size == 0) {
                free_extents.remove_at(i);
            }
            return va;
        }
    }
    return Errno::enomem;
}

void free_va(uptr va, u64 size) {
    SpinLockGuard guard(vm_lock);
    usize at = 0;
    while (at < free_extents.size() && free_extents[at].base < va) {
        ++at;
    }
    // Merge with the neighbours where they touch; otherwise insert, sorted.
    bool merged = false;
    if (at > 0 && free_extents[at - 1].base + free_extents[at - 1].size == va) {
        free_extents[at - 1].size += size;
        merged = true;
        if (at < free_extents.size() && va + size == free_extents[at].base) {
            free_extents[at - 1].size += free_extents[at].size;
            free_extents.remove_at(at);
        }
    } else if (at < free_extents.size() && va + size == free_extents[at].base) {
        free_extents[at].base = va;
        free_extents[at].size += size;
        merged = true;
    }
    if (!merged) {
        // With 256 extents and page-granular IoMem windows this only fills up if thousands of
        // scattered windows are released; leaking the range then is safe.
        if (!free_extents.full()) {
            free_extents.insert_at(at, {va, size});
        }
    }
}

uptr slot_base(usize slot) { return stack_area + slot * slot_size; }
} // namespace

Result<uptr> allocate_kernel_va(u64 size) {
    if (size == 0 || !is_page_aligned(size)) {
        return Errno::einval;
    }
    return allocate_va(size);
}

void free_kernel_va(uptr va, u64 size) { free_va(va, size); }

void init_kernel_vm() {
    VirtRange dynamic = dynamic_area();
    stack_area = dynamic.base;
    (void)free_extents.push(
        {dynamic.base + stack_area_size, dynamic.end - dynamic.base - stack_area_size});
}

Result<uptr> map_device(u64 phys, usize size) {
    u64 end = 0;
    if (size == 0 || !checked_add(phys, u64{size}, end)) {
        return Errno::einval;
    }
    u64 first = align_down(phys, page_size);
    u64 bytes = align_up(end, page_size) - first;
    uptr va = TRY(allocate_va(bytes));
    Result<void> mapped =
        map_kernel(va, first, bytes, PageAttrs::kernel(Perms::read_write, MemType::device));
    if (mapped.is_error()) {
        free_va(va, bytes);
        return mapped.error();
    }
    return va + (phys - first);
}

void unmap_device(uptr va, usize size) {
    uptr first = align_down(va, page_size);
    u64 bytes = align_up(va + size, page_size) - first;
    unmap_kernel(first, bytes);
    free_va(first, bytes);
}

Result<KernelStack> KernelStack::allocate(usize pages) {
    if (pages == 0 || pages > max_pages) {
        return Errno::einval;
    }
    usize slot = stack_slots;
    {
        SpinLockGuard guard(vm_lock);
        for (usize i = 0; i < stack_slots; ++i) {
            if (slot_pages[i] == 0) {
                slot = i;
                slot_pages[i] = static_cast<u8>(pages);
                break;
            }
        }
    }
    if (slot == stack_slots) {
        return Errno::enomem;
    }
    KernelStack stack(slot, 0);
    uptr top = slot_base(slot) + slot_size;
    // Page by page: a stack needs no physical contiguity, and single pages come from the
    // per-CPU cache.
    for (usize i = 1; i <= pages; ++i) {
        u64 pfn = TRY(allocate_page());
        zero_pages(pfn, 1);
        Result<void> mapped = map_kernel(top - i * page_size, phys_of(pfn), page_size,
                                         PageAttrs::kernel(Perms::read_write));
        if (mapped.is_error()) {
            put_page(pfn);
            return mapped.error();
        }
        stack.pages_ = i;
        account(PageUse::kernel_stack, 1);
    }
    return stack;
}

KernelStack::~KernelStack() {
    if (slot_ == moved_from) {
        return;
    }
    uptr top = slot_base(slot_) + slot_size;
    Array<u64, slot_size / page_size> pfns{};
    for (usize i = 1; i <= pages_; ++i) {
        Optional<Mapping> m = query_kernel(top - i * page_size);
        pfns[i - 1] = m ? pfn_of(m->phys) : 0;
    }
    // One unmap, so one shootdown for the whole stack; the pages are free only after it.
    unmap_kernel(top - pages_ * page_size, pages_ * page_size);
    for (usize i = 0; i < pages_; ++i) {
        if (pfns[i] != 0) {
            put_page(pfns[i]);
        }
        account(PageUse::kernel_stack, -1);
    }
    SpinLockGuard guard(vm_lock);
    slot_pages[slot_] = 0;
}

VirtRange KernelStack::range() const {
    uptr top = slot_base(slot_) + slot_size;
    return {top - pages_ * page_size, top};
}

Optional<StackFacts> guard_of(uptr address) {
    VirtRange boot = arch::boot_stack();
    if (address >= boot.base - page_size && address < boot.base) {
        return StackFacts{boot, true};
    }
    if (stack_area == 0 || address < stack_area || address >= stack_area + stack_area_size) {
        return none;
    }
    usize slot = (address - stack_area) / slot_size;
    usize pages = slot_pages[slot];
    uptr top = slot_base(slot) + slot_size;
    if (pages == 0 || address >= top - pages * page_size) {
        return none;
    }
    return StackFacts{{top - pages * page_size, top}, false};
}

bool on_kernel_stack(uptr address, usize size) {
    if (arch::boot_stack().contains(address, size)) {
        return true;
    }
    if (stack_area == 0 || address < stack_area || address >= stack_area + stack_area_size) {
        return false;
    }
    usize slot = (address - stack_area) / slot_size;
    usize pages = slot_pages[slot];
    uptr top = slot_base(slot) + slot_size;
    return pages != 0 && VirtRange{top - pages * page_size, top}.contains(address, size);
}

} // namespace keel::mm
