// The kernel's address space: built at boot from the memory map with the page-table engine, then
// installed in place of the boot tables. It holds exactly: the kernel image with W^X section
// permissions (text RX, rodata R, data RW NX) and an unmapped guard page under the boot stack,
// a linear map of all RAM (RW NX; the image's text and rodata read-only there too), the early
// device window's mappings at their addresses, and tables prepared for the dynamic area (kernel
// stacks, IoMem), so that user roots copying the kernel half share everything mapped later.
#pragma once

#include <keel/boot_info.h>
#include <keel/ktl/array.h>
#include <keel/ktl/optional.h>

#include "arch_contract.h"
#include "mm/boot_allocator.h"
#include "mm/page_table.h"

namespace keel::mm {

Result<void> init_kernel_space(const BootInfo& info, BootAllocator& boot);

// The dynamic area's mappings, under the kernel space lock. The caller owns the pages.
Result<void> map_kernel(uptr va, u64 phys, u64 size, PageAttrs attrs);
void unmap_kernel(uptr va, u64 size);
Optional<Mapping> query_kernel(uptr va);

u64 kernel_root();
VirtRange dynamic_area();
uptr user_end();

// The engine's table memory for kernel-owned tables (the kernel half, and user roots): pages
// from the frame allocator (from the boot allocator while booting), reached through the linear
// map, counted as page tables.
//
// Flushes are gathered, the way Linux's mmu_gather does it: the engine's flush(va) drops this
// CPU's translation at once and widens a pending range; the other CPUs are shot down once per
// operation, by complete_flushes(), with one round of IPIs for the whole range. Until then
// nothing the old entries reached may be reused: tables the engine frees wait here, and the
// owner of the pages keeps them until complete_flushes() returns.
class KernelTableMemory {
public:
    enum class Flush : u8 { none, kernel, user };
    constexpr explicit KernelTableMemory(Flush flush, u32 asid = 0) : flush_(flush), asid_(asid) {}
    KernelTableMemory(const KernelTableMemory&) = delete;
    KernelTableMemory& operator=(const KernelTableMemory&) = delete;

    Span<u64> entries(u64 phys);
    Result<u64> allocate_table();
    void free_table(u64 phys);
    void flush(uptr va);
    void publish(uptr va);
    // Shoots the pending range down on every other CPU, then frees the tables that waited. Each
    // owner calls it at the end of an operation; the engine calls it inside break-before-make.
    void complete_flushes();

    void set_flush(Flush flush, u32 asid) {
        flush_ = flush;
        asid_ = asid;
    }
    void use_boot_allocator(BootAllocator* boot) { boot_ = boot; }

private:
    static constexpr usize max_pending_tables = 8;

    void release_table(u64 phys);
    void flush_this_cpu(uptr va) const;
    bool has_pending_range() const { return pending_first_ <= pending_last_; }

    Flush flush_;
    u32 asid_;
    BootAllocator* boot_ = nullptr;
    uptr pending_first_ = ~uptr{0}; // the pending range, [first, last]; empty when last < first
    uptr pending_last_ = 0;
    Array<u64, max_pending_tables> pending_tables_{};
    usize pending_table_count_ = 0;
};

} // namespace keel::mm
