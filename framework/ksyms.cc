// The embedded symbol table (scripts/gen-ksyms.sh): a count, then {address, name offset} pairs
// sorted by address, then the NUL-terminated names.
#include "address.h"
#include "backtrace.h"

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunsafe-buffer-usage"
// SAFETY (whole file): the table's layout is fixed by gen-ksyms.sh; its count bounds every index.
extern "C" const keel::u64 keel_ksyms[];
// From each arch's linker script.
extern "C" const char __text_start[];
extern "C" const char __text_end[];

namespace keel {

Optional<SymbolHit> symbolize(uptr address) {
    if (address < address_of(__text_start) || address >= address_of(__text_end)) {
        return none;
    }
    u64 count = keel_ksyms[0];
    const u64* entries = &keel_ksyms[1];
    // SAFETY: gen-ksyms.sh writes the NUL-terminated names right after the count and the
    // 2 * count entry words, in the same section; viewing them as chars is always allowed.
    const char* names = reinterpret_cast<const char*>(&keel_ksyms[1 + 2 * count]);
    usize lo = 0;
    usize hi = count;
    while (lo < hi) { // first entry with address > target
        usize mid = lo + (hi - lo) / 2;
        if (entries[2 * mid] <= address) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return none;
    }
    u64 start = entries[2 * (lo - 1)];
    const char* name = names + entries[2 * (lo - 1) + 1];
    return SymbolHit{StringView::from_c_string(name, 512), address - start};
}

} // namespace keel

#pragma clang diagnostic pop
