// The kernel's address space: built at boot from the memory map with the page-table engine, then
// installed in place of the boot tables. It holds exactly: the kernel image with W^X section
// permissions (text RX, rodata R, data RW NX) and an unmapped guard page under the boot stack,
// a linear map of all RAM (RW NX; the image's text and rodata read-only there too), the early
// device window's mappings at their addresses, and tables prepared for the dynamic area (kernel
// stacks, IoMem), so that user roots copying the kernel half share everything mapped later.
#pragma once

#include <keel/boot_info.h>
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
class KernelTableMemory {
public:
    enum class Flush : u8 { none, kernel, user };
    constexpr explicit KernelTableMemory(Flush flush, u32 asid = 0) : flush_(flush), asid_(asid) {}

    Span<u64> entries(u64 phys);
    Result<u64> allocate_table();
    void free_table(u64 phys);
    void flush(uptr va);

    void set_flush(Flush flush, u32 asid) {
        flush_ = flush;
        asid_ = asid;
    }
    void use_boot_allocator(BootAllocator* boot) { boot_ = boot; }

private:
    Flush flush_;
    u32 asid_;
    BootAllocator* boot_ = nullptr;
};

} // namespace keel::mm
