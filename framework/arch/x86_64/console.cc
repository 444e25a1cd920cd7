// The console concern: COM1 at I/O port 0x3f8, where every PC and QEMU machine has it (QEMU's
// ACPI tables carry no SPCR to say otherwise).
#include <arch/console.h>

#include "console/uart16550.h"
#include "x86.h"

namespace keel {

namespace {
constexpr u16 com1_port = 0x3f8;

class PortUart16550Registers final : public console::Uart16550Registers {
public:
    constexpr explicit PortUart16550Registers(u16 base) : base_(base) {}
    u8 read(u32 index) override { return x86::inb(static_cast<u16>(base_ + index)); }
    void write(u32 index, u8 value) override { x86::outb(static_cast<u16>(base_ + index), value); }

private:
    u16 base_;
};

constinit PortUart16550Registers com1_registers{com1_port};
constinit console::Uart16550 com1_uart;
} // namespace

console::Uart16550& x86::com1() { return com1_uart; }

void arch::install_console(const BootInfo&) {
    com1_uart.init(com1_registers, "ttyS0 (16550, port 0x3f8)");
    // A machine without COM1 reads all-ones; writing to it would spin on every character.
    if (com1_uart.scratch_register_works()) {
        console::install(com1_uart);
    }
}

} // namespace keel
