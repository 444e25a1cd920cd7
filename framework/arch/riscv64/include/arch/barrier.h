// riscv64: the ordering concern of the arch contract (framework/arch_contract.h), with Linux's
// choices (asm/io.h, asm/barrier.h): fences over the memory (r, w) and device (i, o) sets.
#pragma once

namespace keel::arch {

// SAFETY: FENCE only orders this hart's accesses to the named sets, in any privilege mode; it
// reads and writes nothing itself, and "memory" keeps the compiler's accesses on the side of it
// where the program put them.
#define KEEL_RISCV_FENCE(sets) asm volatile("fence " sets ::: "memory")

// Memory writes (DMA buffers, rings) are visible to a device before a later MMIO write.
inline void io_write_fence() { KEEL_RISCV_FENCE("w, o"); }
// An MMIO read completes before later memory reads (of what the device wrote by DMA).
inline void io_read_fence() { KEEL_RISCV_FENCE("i, r"); }
// Ordering between CPU and device in coherent DMA memory.
inline void dma_write_fence() { KEEL_RISCV_FENCE("w, w"); }
inline void dma_read_fence() { KEEL_RISCV_FENCE("r, r"); }
inline void dma_full_fence() { KEEL_RISCV_FENCE("rw, rw"); }

#undef KEEL_RISCV_FENCE

} // namespace keel::arch
