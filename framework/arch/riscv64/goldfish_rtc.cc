// riscv64: the goldfish RTC (goldfish_rtc.h) and arch::rtc_seconds (arch/rtc.h). Registers from
// Android's GOLDFISH-VIRTUAL-HARDWARE.TXT, as QEMU's hw/rtc/goldfish_rtc.c implements them:
// reading TIME_LOW latches the high half for the TIME_HIGH read that must follow; writing
// ALARM_LOW arms the alarm at ALARM_HIGH:ALARM_LOW (a time already past fires at once).
#include "goldfish_rtc.h"

#include <arch/clock.h>

#include "device_tree.h"
#include "io_mem_internal.h"
#include <keel/spin_lock.h>

namespace keel::arch::riscv {

namespace {
constexpr usize time_low = 0x00;
constexpr usize time_high = 0x04;
constexpr usize alarm_low = 0x08;
constexpr usize alarm_high = 0x0c;
constexpr usize irq_enabled = 0x10;
constexpr usize clear_interrupt = 0x1c;
constexpr usize window_size = 0x20;
constexpr u64 ns_per_s = 1000000000;

constinit SpinLock lock; // keeps the TIME_LOW, TIME_HIGH pair together
constinit Optional<IoMem> regs;
constinit Optional<IrqSource> interrupt;
} // namespace

Result<void> init_goldfish_rtc(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> node = find_compatible(dt, "google,goldfish-rtc");
    Optional<PhysRange> reg = node ? first_reg(dt, *node) : none;
    if (!reg) {
        return Errno::enodev;
    }
    if (reg->size < window_size) {
        return Errno::einval;
    }
    IoMem window = TRY(IoMemAccess::acquire_claimed(reg->base, reg->size)); // the wall clock
    regs = move(window);
    interrupt = interrupt_source(dt, *node);
    return {};
}

Optional<u64> rtc_phys() { return regs ? Optional<u64>(regs->phys()) : none; }
Optional<IrqSource> rtc_interrupt() { return interrupt; }

Result<void> rtc_raise_alarm_now() {
    if (!regs) {
        return Errno::enodev;
    }
    SpinLockGuard guard(lock);
    TRY(regs->write32(irq_enabled, 1));
    TRY(regs->write32(alarm_high, 0));
    return regs->write32(alarm_low, 1); // 1 ns after the epoch: long past
}

void rtc_clear_interrupt() {
    if (regs) {
        (void)regs->write32(clear_interrupt, 1);
    }
}

void rtc_disable_alarm_interrupt() {
    if (regs) {
        (void)regs->write32(irq_enabled, 0);
    }
}

} // namespace keel::arch::riscv

namespace keel::arch {

Result<u64> rtc_seconds() {
    if (!riscv::regs) {
        return Errno::enodev;
    }
    SpinLockGuard guard(riscv::lock);
    u64 low = TRY(riscv::regs->read32(riscv::time_low));
    u64 high = TRY(riscv::regs->read32(riscv::time_high));
    return (high << 32 | low) / riscv::ns_per_s;
}

} // namespace keel::arch
