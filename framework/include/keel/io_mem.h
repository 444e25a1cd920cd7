// IoMem: a window of device registers (MMIO) mapped as device memory, the only way services and
// drivers reach hardware. Every access is checked against the window (EINVAL outside it), so a
// wrong offset cannot touch another device or RAM. Windows come from bus facts (device tree,
// ACPI, PCI BARs); acquire refuses RAM and the devices the framework keeps to itself (interrupt
// controllers, IOMMUs) with EPERM. Accesses are ordered like Linux's readl/writel: a write
// reaches the device after the CPU's earlier writes to memory (DMA buffers), and a read
// completes before later reads of memory.
#pragma once

#include <keel/hwreg.h>
#include <keel/ktl/result.h>

namespace keel {

class IoMem {
public:
    // Maps [phys, phys + size): the framework's bus code and its own devices only. Drivers get
    // windows from their device handles (PciDevice::map_bar, PlatformDevice::map_reg); the
    // safe-subset gate rejects this call outside the framework. EINVAL for an empty or wrapping
    // range, EPERM for RAM or a framework-owned device, ENOMEM when no virtual space or page table
    // is left. reg_shift spaces typed registers 1 << reg_shift bytes apart per offset unit (the
    // device tree's reg-shift; 0 for registers at their byte offsets).
    [[clang::annotate("keel::framework_only")]] static Result<IoMem> acquire(u64 phys, usize size,
                                                                             u32 reg_shift = 0);

    IoMem(IoMem&& other) noexcept;
    IoMem& operator=(IoMem&& other) noexcept;
    IoMem(const IoMem&) = delete;
    IoMem& operator=(const IoMem&) = delete;
    ~IoMem();

    u64 phys() const { return phys_; }
    usize size() const { return size_; }

    // Plain accesses at byte offsets, naturally aligned (EINVAL otherwise).
    Result<u8> read8(usize offset) const;
    Result<u16> read16(usize offset) const;
    Result<u32> read32(usize offset) const;
    Result<u64> read64(usize offset) const;
    Result<void> write8(usize offset, u8 value) const;
    Result<void> write16(usize offset, u16 value) const;
    Result<void> write32(usize offset, u32 value) const;
    Result<void> write64(usize offset, u64 value) const;

    // Typed registers (keel/hwreg.h) at R::offset << reg_shift, of R's width.
    template <typename R>
    Result<R> read() const {
        return R::from_value(TRY(read_width<typename R::Value>(R::offset << shift_)));
    }
    template <typename R>
    Result<void> write(const R& reg) const {
        return write_width<typename R::Value>(R::offset << shift_, reg.value());
    }
    // Read, let fn change fields, write back.
    template <typename R, typename Fn>
    Result<void> modify(Fn&& fn) const {
        R reg = TRY(read<R>());
        fn(reg);
        return write(reg);
    }

private:
    friend struct IoMemAccess; // the framework's early consoles
    IoMem(uptr virt, u64 phys, usize size, u32 shift, bool owned)
        : virt_(virt), phys_(phys), size_(size), shift_(shift), owned_(owned) {}

    template <typename V>
    Result<V> read_width(usize offset) const {
        if constexpr (sizeof(V) == 1) {
            return read8(offset);
        } else if constexpr (sizeof(V) == 2) {
            return read16(offset);
        } else if constexpr (sizeof(V) == 4) {
            return read32(offset);
        } else {
            return read64(offset);
        }
    }
    template <typename V>
    Result<void> write_width(usize offset, V value) const {
        if constexpr (sizeof(V) == 1) {
            return write8(offset, value);
        } else if constexpr (sizeof(V) == 2) {
            return write16(offset, value);
        } else if constexpr (sizeof(V) == 4) {
            return write32(offset, value);
        } else {
            return write64(offset, value);
        }
    }

    uptr virt_ = 0;
    u64 phys_ = 0;
    usize size_ = 0;
    u32 shift_ = 0;
    bool owned_ = false; // unmapped on destruction (early windows stay for good)
};

} // namespace keel
