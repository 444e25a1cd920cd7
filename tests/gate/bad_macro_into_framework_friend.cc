// A macro defined here renames the friend a framework header (not yet included) declares:
// `friend struct DmaAccess;` becomes a friendship for this file's own type, which then makes a
// DmaCoherent over any kernel address.
// expect-rule: no-macro-into-framework
namespace keel::gate {
struct Mine;
} // namespace keel::gate
#define DmaAccess ::keel::gate::Mine
#include <keel/dma.h>
namespace keel::gate {
struct Mine {
    static keel::DmaCoherent forge(keel::uptr where) { return keel::DmaCoherent(where, 0, 0, 4096); }
};
keel::Result<void> write_anywhere(keel::uptr where) {
    keel::DmaCoherent d = Mine::forge(where);
    return d.store<keel::u64>(0, 0x4141414141414141);
}
} // namespace keel::gate
