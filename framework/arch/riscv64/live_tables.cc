// riscv64: reading the active page tables (live_tables.h).
#include "live_tables.h"

#include <arch/memory.h>
#include <arch/pte_format.h>

#include "boot_layout.h"
#include "csr.h"

namespace keel::arch::riscv {

namespace {

// Table memory that only reads, through the linear map: the engine's query needs no more.
struct ReadOnlyTables {
    Span<u64> entries(u64 phys) {
        // SAFETY: phys comes from satp or a valid table entry, so it is a page-table page in RAM,
        // which the linear map covers; the engine indexes it within table_entries.
        return Span<u64>::from_raw(reinterpret_cast<u64*>(phys_to_virt(phys)), mm::table_entries);
    }
    Result<u64> allocate_table() { return Errno::enomem; }
    void free_table(u64) {}
    void flush(uptr) {}
    void publish(uptr) {}
    void complete_flushes() {}
};

// Sv39 uses 39 address bits, Sv48 48: the bits above must all equal the top one.
bool is_canonical(uptr va, u32 levels) {
    u32 bits = 12 + 9 * levels;
    i64 extended = static_cast<i64>(va << (64 - bits)) >> (64 - bits);
    return static_cast<uptr>(extended) == va;
}

} // namespace

u64 active_root() { return (csr::read_satp() & csr::satp_ppn_mask) << 12; }

u64* active_page_entry(uptr va) {
    NativePteFormat format(boot_mapping.mode == PagingMode::Sv48 ? 4 : 3, true);
    if (!is_canonical(va, format.levels())) {
        return nullptr;
    }
    ReadOnlyTables memory;
    u64 table = active_root();
    for (u32 level = format.levels() - 1;; --level) {
        Span<u64> entries = memory.entries(table);
        u64& pte = entries[mm::PageTable<NativePteFormat, ReadOnlyTables>::index(va, level)];
        if (!format.is_valid(pte)) {
            return nullptr;
        }
        if (level == 0) {
            return &pte;
        }
        if (!format.is_table(pte, level)) {
            return nullptr;
        }
        table = format.address(pte, level);
    }
}

Optional<mm::Mapping> query_active(uptr va) {
    // Not pte_format(): this may run before the boot information it probes exists. Decoding
    // with Svpbmt on is right either way (the PBMT bits are zero on harts without it).
    NativePteFormat format(boot_mapping.mode == PagingMode::Sv48 ? 4 : 3, true);
    if (!is_canonical(va, format.levels())) {
        return none;
    }
    ReadOnlyTables memory;
    mm::PageTable<NativePteFormat, ReadOnlyTables> table(format, memory, active_root());
    return table.query(va);
}

} // namespace keel::arch::riscv
