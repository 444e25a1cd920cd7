// aarch64: the ordering concern of the arch contract (framework/arch_contract.h), with Linux's
// choices (asm/io.h, asm/barrier.h): outer-shareable barriers, because devices sit outside the
// inner-shareable domain of the CPUs.
#pragma once

namespace keel::arch {

// SAFETY: DMB only orders this CPU's accesses in the outer-shareable domain, at any EL; it
// reads and writes nothing itself, and "memory" keeps the compiler's accesses on the side of it
// where the program put them.
#define KEEL_AARCH64_DMB(kind) asm volatile("dmb " kind ::: "memory")

// Memory writes (DMA buffers, rings) are visible to a device before a later MMIO write.
inline void io_write_fence() { KEEL_AARCH64_DMB("oshst"); }
// An MMIO read completes before later memory reads (of what the device wrote by DMA).
inline void io_read_fence() { KEEL_AARCH64_DMB("oshld"); }
// Ordering between CPU and device in coherent DMA memory.
inline void dma_write_fence() { KEEL_AARCH64_DMB("oshst"); }
inline void dma_read_fence() { KEEL_AARCH64_DMB("oshld"); }
inline void dma_full_fence() { KEEL_AARCH64_DMB("osh"); }

#undef KEEL_AARCH64_DMB

} // namespace keel::arch
