// The PC's CMOS RTC (Motorola MC146818 and its successors) behind ports 0x70 (index) and 0x71
// (data), and the date it keeps. The century byte is where the ACPI FADT says (QEMU: 0x32).
#pragma once

#include <keel/civil_time.h>
#include <keel/ktl/result.h>

namespace keel::x86 {

// One index/data pair at a time (a lock), NMI left enabled.
u8 cmos_read(u8 index);
void cmos_write(u8 index, u8 value);

// CMOS registers (MC146818 datasheet) this folder uses.
inline constexpr u8 cmos_status_a = 0x0a; // bit 7: update in progress; 3:0 periodic rate
inline constexpr u8 cmos_status_b = 0x0b; // bit 6: periodic interrupt; 2: binary; 1: 24 hour
inline constexpr u8 cmos_status_c = 0x0c; // interrupt flags, cleared by reading: the RTC's ack
inline constexpr u8 cmos_b_periodic_interrupt = 1 << 6;

// Reads the FADT's facts: where the century byte is, whether the board has a CMOS RTC at all.
void init_rtc();
// Two identical readings outside an update cycle, decoded from BCD or binary and 12 or 24 hour
// form. ENODEV when the FADT says there is no CMOS RTC; EIO for a date that cannot be.
Result<CivilTime> read_rtc();

} // namespace keel::x86
