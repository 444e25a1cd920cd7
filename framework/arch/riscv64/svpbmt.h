// riscv64: whether the hart accepts Svpbmt's page-based memory types right now.
#pragma once

namespace keel::arch::riscv {

// Loads once through a mapping tagged PBMT=IO (of a page nothing else uses) and says whether the
// load worked. A hart without Svpbmt, or whose firmware left menvcfg.PBMTE clear, treats the
// PBMT bits as reserved and raises a page fault, which probe_read recovers.
bool pbmt_accepted();

} // namespace keel::arch::riscv
