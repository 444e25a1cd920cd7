#include "console/uart16550.h"

namespace keel::console {

void MmioUart16550Registers::init(IoMem window, u32 reg_shift, u32 io_width) {
    window_ = move(window);
    shift_ = reg_shift;
    width_ = io_width;
}

u8 MmioUart16550Registers::read(u32 index) {
    usize offset = usize{index} << shift_;
    if (width_ == 4) {
        return static_cast<u8>(window_->read32(offset).value_or(0xff));
    }
    return window_->read8(offset).value_or(0xff);
}

void MmioUart16550Registers::write(u32 index, u8 value) {
    usize offset = usize{index} << shift_;
    (void)(width_ == 4 ? window_->write32(offset, value) : window_->write8(offset, value));
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

Optional<u8> Uart16550::read_char() {
    if ((regs_->read(reg_line_status) & line_status_data_ready) == 0) {
        return none;
    }
    return regs_->read(reg_data);
}

Result<void> Uart16550::set_receive_interrupt(bool on) {
    regs_->write(reg_modem_control, on ? 0x03 | modem_control_out2 : 0x03);
    regs_->write(reg_interrupt_enable, on ? interrupt_enable_receive : 0);
    return {};
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
