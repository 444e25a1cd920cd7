// The 8250/16550 UART as a polled boot console. Register access is abstracted because the same
// chip sits on x86 I/O ports and on riscv64 MMIO (with a register stride and width the device
// tree gives as reg-shift and reg-io-width).
#pragma once

#include <keel/io_mem.h>
#include <keel/ktl/optional.h>

#include "console/console.h"

namespace keel::console {

class Uart16550Registers {
public:
    virtual u8 read(u32 index) = 0;
    virtual void write(u32 index, u8 value) = 0;

protected:
    ~Uart16550Registers() = default;
};

// The MMIO flavour, through an IoMem window: register index << reg_shift, accessed reg_io_width
// bytes wide. An access the window refuses reads as 0xff (an absent device) and writes nothing.
class MmioUart16550Registers final : public Uart16550Registers {
public:
    constexpr MmioUart16550Registers() = default;
    void init(IoMem window, u32 reg_shift, u32 io_width);
    u8 read(u32 index) override;
    void write(u32 index, u8 value) override;

private:
    Optional<IoMem> window_;
    u32 shift_ = 0;
    u32 width_ = 1;
};

class Uart16550 final : public Device {
public:
    // Register indexes (with DLAB clear unless noted).
    static constexpr u32 reg_data = 0;
    static constexpr u32 reg_interrupt_enable = 1;
    static constexpr u32 reg_fifo_control = 2;
    static constexpr u32 reg_line_control = 3;
    static constexpr u32 reg_modem_control = 4;
    static constexpr u32 reg_line_status = 5;
    static constexpr u32 reg_scratch = 7;
    static constexpr u8 line_status_data_ready = 1 << 0;
    static constexpr u8 line_status_thr_empty = 1 << 5;
    static constexpr u8 interrupt_enable_receive = 1 << 0;
    static constexpr u8 modem_control_out2 = 1 << 3; // gates the IRQ line on PCs

    constexpr Uart16550() = default;

    // Keeps the firmware's baud rate; sets 8N1, FIFOs on, interrupts off.
    void init(Uart16550Registers& regs, StringView name);
    void put_char(char c) override;
    StringView name() const override { return name_.view(); }
    Optional<u8> read_char() override;
    Result<void> set_receive_interrupt(bool on) override;

    // The scratch register round trip: proves the registers answer (used by ktests).
    bool scratch_register_works();

private:
    Uart16550Registers* regs_ = nullptr;
    FixedString<48> name_;
};

// The device-tree console's 16550 when it is the installed console, else null (for ktests).
Uart16550* device_tree_uart16550();

} // namespace keel::console
