// ARM PrimeCell UART (PL011) as a polled boot console (aarch64 QEMU virt).
#pragma once

#include "console/console.h"

namespace keel::console {

class Pl011 final : public Device {
public:
    static constexpr u32 reg_data = 0x000;
    static constexpr u32 reg_flags = 0x018;
    static constexpr u32 reg_periph_id0 = 0xfe0;
    static constexpr u32 flag_tx_full = 1 << 5;

    constexpr Pl011() = default;

    void init(uptr base, StringView name);
    void put_char(char c) override;
    StringView name() const override { return name_.view(); }

    // The PrimeCell peripheral id part number (0x011 for a PL011); used by ktests.
    u32 part_number();

private:
    uptr base_ = 0;
    FixedString<48> name_;
};

// The device-tree console's PL011 when it is the installed console, else null (for ktests).
Pl011* device_tree_pl011();

} // namespace keel::console
