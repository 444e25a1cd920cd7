// riscv64: trying the PBMT bits on the hart (svpbmt.h).
#include "svpbmt.h"

#include <arch/cpu.h>
#include <arch/pte_format.h>

#include "csr.h"
#include "live_tables.h"
#include "trap.h"

namespace keel::arch::riscv {

namespace {
// Used by nothing but the probe, so no other access can meet the PBMT-tagged entry.
alignas(4096) constinit u64 probe_page[512];
} // namespace

bool pbmt_accepted() {
    // SAFETY: only the address is taken; the page is read through probe_read, which survives
    // a fault.
    uptr va = reinterpret_cast<uptr>(&probe_page);
    u64* entry = active_page_entry(va);
    if (entry == nullptr) {
        return false;
    }
    u64 saved = save_and_disable_interrupts();
    // SAFETY: entry is the live 4 KiB leaf for probe_page alone, which nothing else reads, and
    // with interrupts off nothing else runs here; the tag changes only how the page is cached,
    // and the original entry is back before returning. Single aligned stores: the walker never
    // sees half an entry.
    u64 original = __atomic_load_n(entry, __ATOMIC_RELAXED);
    __atomic_store_n(entry, original | RiscvPteFormat::pbmt_io, __ATOMIC_RELEASE);
    csr::sfence_page(va);
    bool loaded = probe_read(va).has_value();
    __atomic_store_n(entry, original, __ATOMIC_RELEASE);
    csr::sfence_page(va);
    restore_interrupts(saved);
    return loaded;
}

} // namespace keel::arch::riscv
