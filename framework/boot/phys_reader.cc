#include "boot/phys_reader.h"

namespace keel::boot {

Optional<StringView> PhysReader::read_c_string(u64 phys, usize max_len) const {
    // Read in small steps so a short string near the end of readable memory still works.
    constexpr usize step = 64;
    for (usize len = 0; len < max_len + 1; len += step) {
        usize chunk = min(step, max_len + 1 - len);
        Optional<Bytes> bytes = read(phys + len, chunk);
        if (!bytes) {
            return none;
        }
        for (usize i = 0; i < chunk; ++i) {
            if ((*bytes)[i] == 0) {
                Optional<Bytes> all = read(phys, len + i);
                if (!all) {
                    return none;
                }
                return StringView(Span<const char>::from_raw(
                    static_cast<const char*>(static_cast<const void*>(all->data())), len + i));
            }
        }
    }
    return none;
}

} // namespace keel::boot
