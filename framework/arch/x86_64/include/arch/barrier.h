// x86_64: the ordering concern of the arch contract (framework/arch_contract.h). x86 keeps stores
// in order with other stores and loads with other loads, also towards uncached device memory,
// so only a store followed by a load needs a fence; the rest must only stop the compiler.
#pragma once

namespace keel::arch {

// Stops the compiler, not the CPU: no access moves across it in the generated code.
inline void compiler_barrier() {
    // SAFETY: an empty asm emits no instruction; its "memory" clobber only makes the compiler
    // assume memory changed, which can cost a reload but never change what the program does.
    asm volatile("" ::: "memory");
}

// Memory writes (DMA buffers, rings) are visible to a device before a later MMIO write.
inline void io_write_fence() { compiler_barrier(); }
// An MMIO read completes before later memory reads (of what the device wrote by DMA).
inline void io_read_fence() { compiler_barrier(); }
// Ordering between CPU and device in coherent DMA memory: stores before stores, loads before
// loads, and everything before everything (a store before a later load: mfence).
inline void dma_write_fence() { compiler_barrier(); }
inline void dma_read_fence() { compiler_barrier(); }
inline void dma_full_fence() {
    // SAFETY: MFENCE only orders this CPU's loads and stores, at any privilege level; it reads
    // and writes nothing itself, and "memory" stops the compiler moving accesses across it.
    asm volatile("mfence" ::: "memory");
}

} // namespace keel::arch
