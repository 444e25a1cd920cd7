#include <keel/vm_space.h>

#include <keel/ktl/array.h>

#include <arch/cpu.h>
#include <arch/paging.h>

#include "mm/cpu_local.h"
#include "mm/frame_access.h"
#include "mm/frames.h"
#include "mm/kernel_space.h"
#include "sched/scheduler.h"
#include "smp.h"
#include <keel/spin_lock.h>

namespace keel {

using namespace mm;
using UserPageTable = PageTable<arch::NativePteFormat, KernelTableMemory>;

namespace {
constexpr usize max_asids = 4096;
constinit SpinLock asid_lock;
constinit Array<u64, max_asids / 64> asids_used{};
constinit Array<u64, max_cpus> active_root{};

u32 allocate_asid() {
    u32 limit = static_cast<u32>(min<usize>(arch::asid_count(), max_asids));
    SpinLockGuard guard(asid_lock);
    for (u32 a = 1; a < limit; ++a) {
        u64& word = asids_used[a / 64];
        if ((word & (u64{1} << (a % 64))) == 0) {
            word |= u64{1} << (a % 64);
            return a;
        }
    }
    return 0; // none left: this space flushes on every activation
}

void release_asid(u32 asid) {
    if (asid != 0) {
        SpinLockGuard guard(asid_lock);
        asids_used[asid / 64] &= ~(u64{1} << (asid % 64));
    }
}

// The user half as the engine sees it: [page_size, user_end) rounded out to whole pages.
bool is_user_range(uptr va, usize size) {
    uptr end = 0;
    return size > 0 && is_page_aligned(va) && is_page_aligned(size) && va >= page_size &&
           checked_add(va, uptr{size}, end) && end <= VmSpace::user_end();
}

// The engine on one space for one operation; its gathered flushes reach the other CPUs when it
// ends.
struct UserTable {
    KernelTableMemory memory;
    UserPageTable table;
    UserTable(u64 root, u32 asid)
        : memory(KernelTableMemory::Flush::user, asid), table(arch::pte_format(), memory, root) {}
    ~UserTable() { memory.complete_flushes(); }
    UserTable(const UserTable&) = delete;
    UserTable& operator=(const UserTable&) = delete;
};

// Pages an unmap took out of the tables. They go back to the allocator only after the shootdown:
// until then another CPU may still reach them through a stale TLB entry.
class UnmappedPages {
public:
    UnmappedPages(KernelTableMemory& memory, u64& mapped_pages)
        : memory_(memory), mapped_pages_(mapped_pages) {}
    ~UnmappedPages() { release(); }
    UnmappedPages(const UnmappedPages&) = delete;
    UnmappedPages& operator=(const UnmappedPages&) = delete;

    void add(const Mapping& m) {
        if (count_ == held_.size()) {
            release();
        }
        held_[count_++] = m;
    }

private:
    void release() {
        memory_.complete_flushes();
        for (usize i = 0; i < count_; ++i) {
            u64 pages = held_[i].size / page_size;
            for (u64 p = 0; p < pages; ++p) {
                put_page(pfn_of(held_[i].phys) + p);
            }
            mapped_pages_ -= pages;
        }
        count_ = 0;
    }

    KernelTableMemory& memory_;
    u64& mapped_pages_;
    Array<Mapping, 32> held_{};
    usize count_ = 0;
};
} // namespace

uptr VmSpace::user_end() { return mm::user_end(); }

Result<Box<VmSpace>> VmSpace::create() {
    KernelTableMemory memory(KernelTableMemory::Flush::none);
    u64 root = TRY(memory.allocate_table());
    if (!arch::NativePteFormat::separate_kernel_root) {
        // The kernel half's root entries point at tables every space shares (the kernel space
        // created them all at boot), so copying them once is enough.
        Span<u64> kernel = memory.entries(kernel_root());
        Span<u64> user = memory.entries(root);
        for (usize i = table_entries / 2; i < table_entries; ++i) {
            user[i] = kernel[i];
        }
    }
    Result<Box<VmSpace>> space = make_box<VmSpace>(Private{});
    if (space.is_error()) {
        memory.free_table(root);
        return space.error();
    }
    space.value()->root_ = root;
    space.value()->asid_ = allocate_asid();
    return space;
}

namespace {
// This CPU leaves a dying space: its root unloaded, the running task's pointer to it dropped.
void leave_space(void* space) {
    const VmSpace& s = *static_cast<const VmSpace*>(space);
    if (s.is_active()) {
        VmSpace::deactivate();
    }
    sched::forget_user_space(s);
}
} // namespace

VmSpace::~VmSpace() {
    if (root_ == 0) {
        return;
    }
    // No CPU may still be on this root when it is freed (on x86 the root also holds the kernel
    // half, cleared below: a CPU left on it would triple-fault on its next kernel access). This
    // one leaves it here; the services release a process's space in its own task
    // (proc/process.cc), so normally no other CPU is on it, but any that is leaves it first.
    leave_space(this);
    for (u32 cpu = 0; cpu < smp::online_cpus(); ++cpu) {
        if (cpu != this_cpu() && __atomic_load_n(&active_root[cpu], __ATOMIC_ACQUIRE) == root_) {
            smp::call_on(cpu, &leave_space, this);
        }
    }
    UserTable user(root_, asid_);
    u64 end = align_down(user_end(), page_size);
    {
        UnmappedPages unmapped(user.memory, mapped_pages_);
        (void)user.table.unmap(page_size, end - page_size,
                               [&](const Mapping& m) { unmapped.add(m); });
    }
    if (!arch::NativePteFormat::separate_kernel_root) {
        Span<u64> entries = user.memory.entries(root_);
        for (usize i = table_entries / 2; i < table_entries; ++i) {
            entries[i] = 0; // the kernel's tables, not ours to free
        }
    }
    arch::flush_user_asid(asid_);
    user.memory.free_table(root_);
    release_asid(asid_);
}

Result<void> VmSpace::map_pages(uptr va, u64 first_pfn, usize pages, Perms perms) {
    if (!is_user_range(va, pages * page_size) || !has(perms, Perms::read)) {
        return Errno::einval;
    }
    UserTable user(root_, asid_);
    TRY(user.table.map(va, phys_of(first_pfn), pages * page_size, PageAttrs::user_page(perms)));
    for (usize i = 0; i < pages; ++i) {
        get_page(first_pfn + i); // the mapping's own reference
    }
    mapped_pages_ += pages;
    return {};
}

Result<void> VmSpace::map(uptr va, const Frame& frame, Perms perms) {
    if (frame.ref_count() == 0) {
        return Errno::einval; // a moved-from Frame
    }
    return map_pages(va, FrameAccess::pfn(frame), 1, perms);
}

Result<void> VmSpace::map(uptr va, const Segment& segment, Perms perms) {
    if (segment.pages() == 0) {
        return Errno::einval;
    }
    return map_pages(va, FrameAccess::pfn(segment), segment.pages(), perms);
}

Result<void> VmSpace::unmap(uptr va, usize size) {
    if (!is_user_range(va, size)) {
        return Errno::einval;
    }
    UserTable user(root_, asid_);
    UnmappedPages unmapped(user.memory, mapped_pages_);
    return user.table.unmap(va, size, [&](const Mapping& m) { unmapped.add(m); });
}

Result<void> VmSpace::protect(uptr va, usize size, Perms perms) {
    if (!is_user_range(va, size)) {
        return Errno::einval;
    }
    UserTable user(root_, asid_);
    return user.table.protect(va, size, perms);
}

Optional<VmMapping> VmSpace::query(uptr va) const {
    if (va < page_size || va >= user_end()) {
        return none;
    }
    UserTable user(root_, asid_);
    Optional<Mapping> m = user.table.query(va);
    if (!m) {
        return none;
    }
    return VmMapping{m->va, m->phys, m->size, m->attrs.perms};
}

Optional<Frame> VmSpace::frame_at(uptr va) const {
    Optional<VmMapping> m = query(va);
    if (!m) {
        return none;
    }
    return FrameAccess::share((m->phys + (va & ~(page_size - 1)) - m->va) >> page_shift);
}

void VmSpace::activate() {
    u64 saved = arch::save_and_disable_interrupts();
    arch::activate_user_root(root_, asid_);
    if (asid_ == 0) {
        arch::flush_user_asid(0);
    }
    active_root[this_cpu()] = root_;
    arch::restore_interrupts(saved);
}

void VmSpace::deactivate() {
    u64 saved = arch::save_and_disable_interrupts();
    arch::deactivate_user_root();
    active_root[this_cpu()] = 0;
    arch::restore_interrupts(saved);
}

bool VmSpace::is_active() const { return root_ != 0 && active_root[this_cpu()] == root_; }

Optional<VmMapping> VmSpace::Cursor::next() {
    if (at_ >= end_) {
        return none;
    }
    UserTable user(space_->root_, space_->asid_);
    Optional<Mapping> m = user.table.find_first(at_, end_ - at_);
    if (!m) {
        at_ = end_;
        return none;
    }
    at_ = m->va + m->size;
    return VmMapping{m->va, m->phys, m->size, m->attrs.perms};
}

VmSpace::Cursor VmSpace::cursor(uptr va, usize size) const {
    uptr end = 0;
    if (!checked_add(va, uptr{size}, end) || end > user_end()) {
        end = user_end();
    }
    return Cursor(*this, max(va, page_size), end);
}

u64 VmSpace::mapped_pages() const { return mapped_pages_; }

} // namespace keel
