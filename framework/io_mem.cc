#include <keel/boot_info.h>
#include <keel/io_mem.h>
#include <keel/ktl/fixed_vector.h>

#include <arch/barrier.h>
#include <arch/memory.h>

#include "io_mem_internal.h"
#include "mm/kernel_vm.h"
#include <keel/spin_lock.h>

namespace keel {

namespace {
struct Claimed {
    u64 base = 0;
    u64 end = 0;
};
constinit SpinLock claims_lock;
constinit FixedVector<Claimed, 32> claims;

bool overlaps(u64 a, u64 a_end, u64 b, u64 b_end) { return a < b_end && b < a_end; }

bool overlaps_ram(u64 phys, u64 end) {
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind != MemoryKind::Reserved && overlaps(phys, end, r.base, r.end())) {
            return true;
        }
    }
    return false;
}

bool overlaps_claim(u64 phys, u64 end) {
    SpinLockGuard guard(claims_lock);
    for (const Claimed& c : claims) {
        if (overlaps(phys, end, c.base, c.end)) {
            return true;
        }
    }
    return false;
}

// The accessors of every IoMem: virt_ maps [phys_, phys_ + size_) as device memory for as long
// as this IoMem lives, and callers checked offset + width against size_ and the alignment
// (in_window). Ordered as Linux's readl/writel: a write comes after the CPU's earlier memory
// writes (a ring filled, then the doorbell), a read before its later memory reads (a status
// read, then the buffer the device wrote).
template <typename V>
V load(uptr address) {
    // SAFETY: address = virt_ + a checked offset, so the access stays inside the live device
    // mapping and is naturally aligned (one access of V's width); volatile keeps it exactly as
    // written, neither merged, split nor dropped.
    V value = *reinterpret_cast<volatile const V*>(address);
    arch::io_read_fence();
    return value;
}
template <typename V>
void store(uptr address, V value) {
    arch::io_write_fence();
    // SAFETY: as in load: inside the live device mapping, naturally aligned, exactly once.
    *reinterpret_cast<volatile V*>(address) = value;
}

bool in_window(usize offset, usize width, usize size) {
    return offset % width == 0 && offset <= size && width <= size - offset;
}
} // namespace

Result<void> claim_device_range(u64 phys, u64 size) {
    SpinLockGuard guard(claims_lock);
    return claims.push({phys, phys + size});
}

void release_device_range(u64 phys, u64 size) {
    SpinLockGuard guard(claims_lock);
    for (usize i = 0; i < claims.size(); ++i) {
        if (claims[i].base == phys && claims[i].end == phys + size) {
            claims.remove_at(i);
            return;
        }
    }
}

Result<IoMem> IoMem::acquire(u64 phys, usize size, u32 reg_shift) {
    u64 end = 0;
    if (size == 0 || reg_shift > 3 || !checked_add(phys, u64{size}, end)) {
        return Errno::einval;
    }
    if (overlaps_ram(phys, end) || overlaps_claim(phys, end)) {
        return Errno::eperm;
    }
    uptr virt = TRY(mm::map_device(phys, size));
    return IoMem(virt, phys, size, reg_shift, true);
}

Result<IoMem> IoMemAccess::early(u64 phys, usize size, u32 reg_shift) {
    uptr virt = TRY(arch::map_device_early(phys, size));
    return IoMem(virt, phys, size, reg_shift, false);
}

Result<IoMem> IoMemAccess::acquire_claimed(u64 phys, usize size) {
    IoMem window = TRY(IoMem::acquire(phys, size));
    TRY(claim_device_range(phys, size));
    return window;
}

Result<IoMem> IoMemAccess::map_claimed(u64 phys, usize size) {
    u64 end = 0;
    if (size == 0 || !checked_add(phys, u64{size}, end)) {
        return Errno::einval;
    }
    if (overlaps_ram(phys, end)) {
        return Errno::eperm;
    }
    uptr virt = TRY(mm::map_device(phys, size));
    return IoMem(virt, phys, size, 0, true);
}

IoMem::IoMem(IoMem&& other) noexcept
    : virt_(other.virt_), phys_(other.phys_), size_(other.size_), shift_(other.shift_),
      owned_(other.owned_) {
    other.owned_ = false;
    other.size_ = 0;
}

IoMem& IoMem::operator=(IoMem&& other) noexcept {
    if (this != &other) {
        IoMem old(move(*this));
        virt_ = other.virt_;
        phys_ = other.phys_;
        size_ = other.size_;
        shift_ = other.shift_;
        owned_ = other.owned_;
        other.owned_ = false;
        other.size_ = 0;
    }
    return *this;
}

IoMem::~IoMem() {
    if (owned_) {
        mm::unmap_device(virt_, size_);
    }
}

#define KEEL_IO_ACCESSORS(bits)                                                                    \
    Result<u##bits> IoMem::read##bits(usize offset) const {                                        \
        if (!in_window(offset, sizeof(u##bits), size_)) {                                          \
            return Errno::einval;                                                                  \
        }                                                                                          \
        return load<u##bits>(virt_ + offset);                                                      \
    }                                                                                              \
    Result<void> IoMem::write##bits(usize offset, u##bits value) const {                           \
        if (!in_window(offset, sizeof(u##bits), size_)) {                                          \
            return Errno::einval;                                                                  \
        }                                                                                          \
        store<u##bits>(virt_ + offset, value);                                                     \
        return {};                                                                                 \
    }

KEEL_IO_ACCESSORS(8)
KEEL_IO_ACCESSORS(16)
KEEL_IO_ACCESSORS(32)
KEEL_IO_ACCESSORS(64)

#undef KEEL_IO_ACCESSORS

} // namespace keel
