#include "console/pl011.h"

namespace keel::console {

void Pl011::init(IoMem window, StringView name) {
    // The firmware (U-Boot) left the UART enabled at its baud rate; keep that.
    window_ = move(window);
    name_.clear();
    name_.write(name);
}

void Pl011::put_char(char c) {
    for (u32 spin = 0; spin < 1000000; ++spin) {
        Result<pl011_regs::Flags> flags = window_->read<pl011_regs::Flags>();
        if (flags.is_error() || flags.value().tx_full() == 0) {
            break;
        }
    }
    pl011_regs::Data data;
    data.set_byte(static_cast<u8>(c));
    (void)window_->write(data);
}

Optional<u8> Pl011::read_char() {
    Result<pl011_regs::Flags> flags = window_->read<pl011_regs::Flags>();
    if (flags.is_error() || flags.value().rx_empty() != 0) {
        return none;
    }
    Result<pl011_regs::Data> data = window_->read<pl011_regs::Data>();
    if (data.is_error()) {
        return none;
    }
    return static_cast<u8>(data.value().byte());
}

Result<void> Pl011::set_receive_interrupt(bool on) {
    return window_->modify<pl011_regs::InterruptMask>([&](pl011_regs::InterruptMask& m) {
        m.set_receive(on ? 1 : 0);
        m.set_receive_timeout(on ? 1 : 0);
    });
}

u32 Pl011::part_number() {
    Result<pl011_regs::PeriphId0> id0 = window_->read<pl011_regs::PeriphId0>();
    Result<pl011_regs::PeriphId1> id1 = window_->read<pl011_regs::PeriphId1>();
    if (id0.is_error() || id1.is_error()) {
        return 0;
    }
    return id0.value().part_low() | id1.value().part_high() << 8;
}

} // namespace keel::console
