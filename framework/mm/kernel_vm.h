// The kernel's dynamic area (arch::KernelLayout::dynamic): kernel stacks with guard pages, and
// device mappings (IoMem). The first part holds stacks in fixed slots, each slot an unmapped
// guard gap followed by the stack, so whether an address is a guard page or a live stack is
// arithmetic, not a search; the rest is handed out by a first-fit range allocator.
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/result.h>

#include <keel/page.h>

#include "arch_contract.h"

namespace keel::mm {

void init_kernel_vm();

// Kernel virtual address space in the dynamic area (page multiples), for mappings the caller
// makes with map_kernel.
Result<uptr> allocate_kernel_va(u64 size);
void free_kernel_va(uptr va, u64 size);

// Maps [phys, phys + size) as device memory in the dynamic area; the address of phys.
Result<uptr> map_device(u64 phys, usize size);
void unmap_device(uptr va, usize size);

class KernelStack {
public:
    static constexpr usize default_pages = 4; // 16 KiB, as Linux on x86-64
    static constexpr usize max_pages = 7;     // a slot is 32 KiB: at least one guard page below

    // A stack of `pages` pages with an unmapped guard below; ENOMEM or EINVAL.
    static Result<KernelStack> allocate(usize pages = default_pages);

    KernelStack(KernelStack&& other) noexcept : slot_(other.slot_), pages_(other.pages_) {
        other.slot_ = moved_from;
        other.pages_ = 0;
    }
    KernelStack& operator=(KernelStack&&) = delete;
    KernelStack(const KernelStack&) = delete;
    ~KernelStack();

    VirtRange range() const; // the mapped stack: the stack pointer starts at range().end
    uptr guard_page() const { return range().base - page_size; }

private:
    static constexpr usize moved_from = ~usize{0};
    KernelStack(usize slot, usize pages) : slot_(slot), pages_(pages) {}
    usize slot_;
    usize pages_;
};

// What a kernel address is, for fault reports and backtraces.
struct StackFacts {
    VirtRange stack; // the stack whose guard (or body) the address is in
    bool boot_stack = false;
};
// The stack whose guard gap holds address (the boot stack's guard page included).
Optional<StackFacts> guard_of(uptr address);
// Whether [address, address + size) lies on one live kernel stack (the boot stack included).
bool on_kernel_stack(uptr address, usize size);

} // namespace keel::mm
