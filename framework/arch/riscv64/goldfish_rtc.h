// riscv64: the goldfish RTC (QEMU virt's "google,goldfish-rtc"): a 64-bit count of nanoseconds
// since the Unix epoch, and an alarm that raises the device's interrupt. The alarm is used by
// the ktests as a device interrupt they can cause at will. Private to framework/arch/riscv64.
#pragma once

#include <keel/irq.h>
#include <keel/ktl/optional.h>

#include "boot/devicetree.h"

namespace keel::arch::riscv {

// Finds, maps and claims the RTC; ENODEV without one.
Result<void> init_goldfish_rtc(const boot::DeviceTree& dt);

Optional<u64> rtc_phys();
// Its interrupt as the device tree names it (for IrqLine::acquire).
Optional<IrqSource> rtc_interrupt();
// Arms the alarm at a time already past, so the device raises its interrupt at once, with the
// alarm interrupt enabled.
Result<void> rtc_raise_alarm_now();
// Lowers the device's interrupt (the handler's acknowledgement).
void rtc_clear_interrupt();
// Turns the alarm interrupt off (the line stays low).
void rtc_disable_alarm_interrupt();

} // namespace keel::arch::riscv
