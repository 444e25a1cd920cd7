#include "console/uart16550.h"

#include "mmio.h"

namespace keel::console {

u8 MmioUart16550Registers::read(u32 index) {
    uptr address = base_ + (uptr{index} << shift_);
    return width_ == 4 ? static_cast<u8>(mmio::read32(address)) : mmio::read8(address);
}

void MmioUart16550Registers::write(u32 index, u8 value) {
    uptr address = base_ + (uptr{index} << shift_);
    if (width_ == 4) {
        mmio::write32(address, value);
    } else {
        mmio::write8(address, value);
    }
}

void Uart16550::init(Uart16550Registers& regs, StringView name) {
    regs_ = &regs;
    name_.clear();
    name_.write(name);
    regs_->write(reg_interrupt_enable, 0);
    regs_->write(reg_line_control, 0x03);  // 8 data bits, no parity, 1 stop bit, DLAB clear
    regs_->write(reg_fifo_control, 0x07);  // enable and clear both FIFOs
    regs_->write(reg_modem_control, 0x03); // DTR, RTS
}

void Uart16550::put_char(char c) {
    // Bounded wait: a UART that never drains must not hang a panic.
    for (u32 spin = 0; spin < 1000000; ++spin) {
        if (regs_->read(reg_line_status) & line_status_thr_empty) {
            break;
        }
    }
    regs_->write(reg_data, static_cast<u8>(c));
}

bool Uart16550::scratch_register_works() {
    u8 saved = regs_->read(reg_scratch);
    regs_->write(reg_scratch, 0x5a);
    bool ok = regs_->read(reg_scratch) == 0x5a;
    regs_->write(reg_scratch, 0xa5);
    ok = ok && regs_->read(reg_scratch) == 0xa5;
    regs_->write(reg_scratch, saved);
    return ok;
}

} // namespace keel::console
