// The power concern: QEMU's isa-debug-exit device (boards/qemu-q35-x86_64) turns a write into
// the emulator's exit status, (value << 1) | 1. Without it the CPU halts for good.
#include <arch/cpu.h>
#include <arch/power.h>

#include "x86.h"

namespace keel::arch {

namespace {
constexpr u16 port_debug_exit = 0xf4;
constexpr u8 debug_exit_success = 0x10; // QEMU exits 33
constexpr u8 debug_exit_failure = 0x11; // QEMU exits 35
} // namespace

void power_off(int status) {
    disable_interrupts();
    x86::outb(port_debug_exit, status == 0 ? debug_exit_success : debug_exit_failure);
    halt();
}

} // namespace keel::arch
