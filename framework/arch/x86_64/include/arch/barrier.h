// x86_64: the ordering concern of the arch contract (framework/arch_contract.h). x86 keeps stores
// in order with other stores and loads with other loads, also towards uncached device memory,
// so only a store followed by a load needs a fence; the rest must only stop the compiler.
#pragma once

namespace keel::arch {

// SAFETY (all): fences and compiler barriers touch no memory.

// Memory writes (DMA buffers, rings) are visible to a device before a later MMIO write.
inline void io_write_fence() { asm volatile("" ::: "memory"); }
// An MMIO read completes before later memory reads (of what the device wrote by DMA).
inline void io_read_fence() { asm volatile("" ::: "memory"); }
// Ordering between CPU and device in coherent DMA memory: stores before stores, loads before
// loads, and everything before everything (a store before a later load: mfence).
inline void dma_write_fence() { asm volatile("" ::: "memory"); }
inline void dma_read_fence() { asm volatile("" ::: "memory"); }
inline void dma_full_fence() { asm volatile("mfence" ::: "memory"); }

} // namespace keel::arch
