// ARM PrimeCell UART (PL011) as a polled boot console (aarch64 QEMU virt).
#pragma once

#include <keel/io_mem.h>
#include <keel/ktl/optional.h>

#include "console/console.h"

namespace keel::console {

// The registers the console uses (PL011 TRM, 3.2).
namespace pl011_regs {
struct Data : Register<Data, u32, 0x000> {
    KEEL_REG_FIELD(7, 0, byte);
};
struct Flags : Register<Flags, u32, 0x018> {
    KEEL_REG_BIT(4, rx_empty);
    KEEL_REG_BIT(5, tx_full);
};
struct InterruptMask : Register<InterruptMask, u32, 0x038> {
    KEEL_REG_BIT(4, receive);
    KEEL_REG_BIT(6, receive_timeout); // fires for bytes below the FIFO level
};
struct PeriphId0 : Register<PeriphId0, u32, 0xfe0> {
    KEEL_REG_FIELD(7, 0, part_low);
};
struct PeriphId1 : Register<PeriphId1, u32, 0xfe4> {
    KEEL_REG_FIELD(3, 0, part_high);
};
} // namespace pl011_regs

class Pl011 final : public Device {
public:
    constexpr Pl011() = default;

    void init(IoMem window, StringView name);
    void put_char(char c) override;
    StringView name() const override { return name_.view(); }
    Optional<u8> read_char() override;
    Result<void> set_receive_interrupt(bool on) override;

    // The PrimeCell peripheral id part number (0x011 for a PL011); used by ktests.
    u32 part_number();

private:
    Optional<IoMem> window_;
    FixedString<48> name_;
};

// The device-tree console's PL011 when it is the installed console, else null (for ktests).
Pl011* device_tree_pl011();

} // namespace keel::console
