#include "console/pl011.h"

#include "mmio.h"

namespace keel::console {

void Pl011::init(uptr base, StringView name) {
    // The firmware (U-Boot) left the UART enabled at its baud rate; keep that.
    base_ = base;
    name_.clear();
    name_.write(name);
}

void Pl011::put_char(char c) {
    for (u32 spin = 0; spin < 1000000; ++spin) {
        if ((mmio::read32(base_ + reg_flags) & flag_tx_full) == 0) {
            break;
        }
    }
    mmio::write32(base_ + reg_data, static_cast<u8>(c));
}

u32 Pl011::part_number() {
    u32 id0 = mmio::read32(base_ + reg_periph_id0) & 0xff;
    u32 id1 = mmio::read32(base_ + reg_periph_id0 + 4) & 0x0f;
    return id0 | (id1 << 8);
}

} // namespace keel::console
