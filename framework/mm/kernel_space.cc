#include "mm/kernel_space.h"

#include <keel/log.h>
#include <keel/panic.h>

#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/paging.h>

#include "early_device_window.h"
#include "mm/frames.h"
#include "mm/kernel_vm.h"
#include "smp.h"
#include <keel/spin_lock.h>

namespace keel::mm {

using KernelPageTable = PageTable<arch::NativePteFormat, KernelTableMemory>;

namespace {
constinit KernelTableMemory kernel_tables{KernelTableMemory::Flush::none};
constinit Optional<KernelPageTable> kernel_table;
constinit SpinLock kernel_lock;
constinit arch::KernelLayout layout{};

bool is_ram(MemoryKind kind) { return kind != MemoryKind::Reserved && kind != MemoryKind::Bad; }

// The image's sections at their link addresses, with their permissions; the page under the
// boot stack stays unmapped as its guard.
Result<void> map_image(KernelPageTable& table) {
    auto phys_of_virt = [](uptr va) { return layout.image_phys + (va - layout.text.base); };
    auto map_section = [&](VirtRange r, Perms perms) -> Result<void> {
        if (r.end == r.base) {
            return {};
        }
        return table.map(r.base, phys_of_virt(r.base), r.end - r.base, PageAttrs::kernel(perms));
    };
    TRY(map_section(layout.text, Perms::read_exec));
    TRY(map_section(layout.rodata, Perms::read));
    VirtRange stack = arch::boot_stack();
    uptr guard = stack.base - page_size;
    KEEL_ASSERT(is_page_aligned(guard) && guard >= layout.data.base &&
                stack.end <= layout.data.end);
    TRY(map_section({layout.data.base, guard}, Perms::read_write));
    TRY(map_section({stack.base, layout.data.end}, Perms::read_write));
    return {};
}

// All RAM, read-write and never executable; the image's text and rodata read-only here too, so
// the linear alias cannot be used to patch code.
Result<void> map_linear(KernelPageTable& table, const BootInfo& info) {
    // Regions other than usable RAM need not be page aligned; widen each to whole pages and
    // merge runs that touch, so every page is mapped exactly once.
    auto map_run = [&](u64 base, u64 end) -> Result<void> {
        end = min(end, layout.linear_size);
        if (base >= end) {
            return {};
        }
        return table.map(layout.linear_base + base, base, end - base,
                         PageAttrs::kernel(Perms::read_write));
    };
    u64 run_base = 0;
    u64 run_end = 0;
    for (const MemoryRegion& r : info.memory) {
        if (!is_ram(r.kind)) {
            continue;
        }
        u64 base = align_down(r.base, page_size);
        u64 end = align_up(r.end(), page_size);
        if (run_end != 0 && base <= run_end) {
            run_end = max(run_end, end);
            continue;
        }
        TRY(map_run(run_base, run_end));
        run_base = base;
        run_end = end;
    }
    TRY(map_run(run_base, run_end));
    u64 read_only = layout.rodata.end - layout.text.base;
    return table.protect(layout.linear_base + layout.image_phys, read_only, Perms::read);
}

Result<void> map_early_devices(KernelPageTable& table) {
    arch::DeviceWindow window = arch::device_window();
    for (const arch::DeviceMapping& m : arch::early_device_mappings()) {
        TRY(table.map(window.base + m.first_slot * page_size, m.phys, m.pages * page_size,
                      PageAttrs::kernel(Perms::read_write, MemType::device)));
    }
    return {};
}
} // namespace

Span<u64> KernelTableMemory::entries(u64 phys) {
    // SAFETY: phys is a page-table page this memory allocated (or the root), reached through
    // the linear map; the engine indexes it within table_entries.
    return Span<u64>::from_raw(reinterpret_cast<u64*>(arch::phys_to_virt(phys)), table_entries);
}

Result<u64> KernelTableMemory::allocate_table() {
    u64 phys = 0;
    if (boot_ != nullptr) {
        phys = TRY(boot_->allocate(1)); // zeroed
    } else {
        u64 pfn = TRY(allocate_page());
        zero_pages(pfn, 1);
        phys = phys_of(pfn);
    }
    account(PageUse::page_table, 1);
    return phys;
}

void KernelTableMemory::free_table(u64 phys) {
    if (!has_pending_range()) {
        release_table(phys);
        return;
    }
    // Another CPU's walker may still hold this table in its paging-structure caches until the
    // shootdown: it waits (and when too many wait, the shootdown happens now).
    if (pending_table_count_ == max_pending_tables) {
        complete_flushes();
        release_table(phys);
        return;
    }
    pending_tables_[pending_table_count_++] = phys;
}

void KernelTableMemory::release_table(u64 phys) {
    account(PageUse::page_table, -1);
    u64 pfn = pfn_of(phys);
    // Tables from the boot allocator are reserved pages: they are not returned.
    if (is_managed(pfn) && page_info(pfn).state == PageState::allocated) {
        put_page(pfn);
    }
}

void KernelTableMemory::flush_this_cpu(uptr va) const {
    switch (flush_) {
    case Flush::none:
        return;
    case Flush::kernel:
        arch::flush_kernel_page(va);
        return;
    case Flush::user:
        arch::flush_user_page(va, asid_);
        return;
    }
}

void KernelTableMemory::publish(uptr va) { flush_this_cpu(va); }

void KernelTableMemory::flush(uptr va) {
    flush_this_cpu(va);
    if (flush_ == Flush::none || smp::online_cpus() < 2) {
        return;
    }
    pending_first_ = min(pending_first_, va);
    pending_last_ = max(pending_last_, va);
}

namespace {
// Beyond this many pages one shootdown flushes the whole address space (user) instead of page by
// page; the kernel half is flushed page by page (its ranges are stacks and device windows).
constexpr u64 max_pages_flushed_singly = 64;

struct RemoteFlush {
    KernelTableMemory::Flush kind;
    u32 asid;
    uptr first;
    uptr last;
};

void flush_here(void* arg) {
    const auto& f = *static_cast<const RemoteFlush*>(arg);
    u64 pages = (f.last - f.first) / page_size + 1;
    if (f.kind == KernelTableMemory::Flush::user && pages > max_pages_flushed_singly) {
        arch::flush_user_asid(f.asid);
        return;
    }
    for (uptr va = f.first;; va += page_size) {
        if (f.kind == KernelTableMemory::Flush::kernel) {
            arch::flush_kernel_page(va);
        } else {
            arch::flush_user_page(va, f.asid);
        }
        if (va >= f.last) {
            break;
        }
    }
}
} // namespace

void KernelTableMemory::complete_flushes() {
    if (has_pending_range()) {
        // Any CPU may have run a user space (its ASID-tagged entries outlive the switch away),
        // so a user shootdown goes to every CPU, like the kernel's.
        RemoteFlush f{flush_, asid_, align_down(pending_first_, page_size),
                      align_down(pending_last_, page_size)};
        pending_first_ = ~uptr{0};
        pending_last_ = 0;
        // Here too: the operation may have moved to this CPU after its local flushes ran
        // elsewhere.
        u64 saved = arch::save_and_disable_interrupts();
        flush_here(&f);
        smp::call_on_others(&flush_here, &f);
        arch::restore_interrupts(saved);
    }
    for (usize i = 0; i < pending_table_count_; ++i) {
        release_table(pending_tables_[i]);
    }
    pending_table_count_ = 0;
}

Result<void> init_kernel_space(const BootInfo& info, BootAllocator& boot) {
    layout = arch::kernel_layout();
    kernel_tables.use_boot_allocator(&boot);
    u64 root = TRY(kernel_tables.allocate_table());
    kernel_table = KernelPageTable(arch::pte_format(), kernel_tables, root, true);
    KernelPageTable& table = *kernel_table;
    TRY(map_image(table));
    TRY(map_linear(table, info));
    TRY(map_early_devices(table));
    TRY(table.populate_top(layout.dynamic.base, layout.dynamic.end - layout.dynamic.base, false));
    arch::activate_kernel_root(root);
    kernel_tables.use_boot_allocator(nullptr);
    kernel_tables.set_flush(KernelTableMemory::Flush::kernel, 0);
    arch::retire_early_device_window([](u64 phys, usize size) { return map_device(phys, size); });
    return {};
}

Result<void> map_kernel(uptr va, u64 phys, u64 size, PageAttrs attrs) {
    SpinLockGuard guard(kernel_lock);
    Result<void> mapped = kernel_table->map(va, phys, size, attrs);
    kernel_tables.complete_flushes(); // a split on the way, or the rollback of a failure
    return mapped;
}

void unmap_kernel(uptr va, u64 size) {
    SpinLockGuard guard(kernel_lock);
    // Callers unmap exactly what they mapped: whole leaves, so no split (the one failure).
    Result<void> done = kernel_table->unmap(va, size, [](const Mapping&) {});
    KEEL_ASSERT(done.ok());
    kernel_tables.complete_flushes(); // before the caller reuses the pages
}

Optional<Mapping> query_kernel(uptr va) {
    SpinLockGuard guard(kernel_lock);
    return kernel_table->query(va);
}

u64 kernel_root() { return kernel_table->root(); }
VirtRange dynamic_area() { return layout.dynamic; }
uptr user_end() { return layout.user_end; }

} // namespace keel::mm
