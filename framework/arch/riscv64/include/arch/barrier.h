// riscv64: the ordering concern of the arch contract (framework/arch_contract.h), with Linux's
// choices (asm/io.h, asm/barrier.h): fences over the memory (r, w) and device (i, o) sets.
#pragma once

namespace keel::arch {

// SAFETY (all): fences touch no memory.

// Memory writes (DMA buffers, rings) are visible to a device before a later MMIO write.
inline void io_write_fence() { asm volatile("fence w, o" ::: "memory"); }
// An MMIO read completes before later memory reads (of what the device wrote by DMA).
inline void io_read_fence() { asm volatile("fence i, r" ::: "memory"); }
// Ordering between CPU and device in coherent DMA memory.
inline void dma_write_fence() { asm volatile("fence w, w" ::: "memory"); }
inline void dma_read_fence() { asm volatile("fence r, r" ::: "memory"); }
inline void dma_full_fence() { asm volatile("fence rw, rw" ::: "memory"); }

} // namespace keel::arch
