// aarch64: the ordering concern of the arch contract (framework/arch_contract.h), with Linux's
// choices (asm/io.h, asm/barrier.h): outer-shareable barriers, because devices sit outside the
// inner-shareable domain of the CPUs.
#pragma once

namespace keel::arch {

// SAFETY (all): barriers touch no memory.

// Memory writes (DMA buffers, rings) are visible to a device before a later MMIO write.
inline void io_write_fence() { asm volatile("dmb oshst" ::: "memory"); }
// An MMIO read completes before later memory reads (of what the device wrote by DMA).
inline void io_read_fence() { asm volatile("dmb oshld" ::: "memory"); }
// Ordering between CPU and device in coherent DMA memory.
inline void dma_write_fence() { asm volatile("dmb oshst" ::: "memory"); }
inline void dma_read_fence() { asm volatile("dmb oshld" ::: "memory"); }
inline void dma_full_fence() { asm volatile("dmb osh" ::: "memory"); }

} // namespace keel::arch
