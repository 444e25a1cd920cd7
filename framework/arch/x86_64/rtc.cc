#include "rtc.h"

#include <arch/clock.h>

#include <keel/civil_time.h>

#include <keel/clock.h>
#include <keel/ktl/array.h>

#include "acpi.h"
#include "x86.h"
#include <keel/spin_lock.h>

namespace keel::x86 {

namespace {
constexpr u16 port_cmos_index = 0x70;
constexpr u16 port_cmos_data = 0x71;
constexpr u8 cmos_seconds = 0x00;
constexpr u8 cmos_minutes = 0x02;
constexpr u8 cmos_hours = 0x04;
constexpr u8 cmos_day = 0x07;
constexpr u8 cmos_month = 0x08;
constexpr u8 cmos_year = 0x09;
constexpr u8 cmos_a_update_in_progress = 1 << 7;
constexpr u8 cmos_b_binary = 1 << 2;
constexpr u8 cmos_b_24_hour = 1 << 1;
constexpr u8 hour_pm = 1 << 7; // in 12-hour form
// The FADT (ACPI 6.5, table 5.9): the century's CMOS index, and IA-PC boot flags whose bit 5
// says "no CMOS RTC".
constexpr usize fadt_century = 108;
constexpr usize fadt_iapc_boot_arch = 109;
constexpr u16 iapc_cmos_rtc_not_present = 1 << 5;
// An update cycle takes under 2 ms once the flag rises.
constexpr u64 update_wait_ns = 10 * 1000 * 1000;

constinit SpinLock cmos_lock;
constinit u8 century_index = 0; // 0: the FADT names none; assume 20xx
constinit bool rtc_absent = false;

struct Raw {
    Array<u8, 7> fields{}; // seconds, minutes, hours, day, month, year, century
    u8 status_b = 0;
    bool operator==(const Raw& other) const {
        for (usize i = 0; i < fields.size(); ++i) {
            if (fields[i] != other.fields[i]) {
                return false;
            }
        }
        return status_b == other.status_b;
    }
};

bool wait_for_no_update() {
    u64 until = clock::monotonic_ns() + update_wait_ns;
    while ((cmos_read(cmos_status_a) & cmos_a_update_in_progress) != 0) {
        if (clock::monotonic_ns() > until) {
            return false;
        }
    }
    return true;
}

Raw read_raw() {
    Raw r;
    r.fields = {cmos_read(cmos_seconds),
                cmos_read(cmos_minutes),
                cmos_read(cmos_hours),
                cmos_read(cmos_day),
                cmos_read(cmos_month),
                cmos_read(cmos_year),
                century_index != 0 ? cmos_read(century_index) : u8{0x20}};
    r.status_b = cmos_read(cmos_status_b);
    return r;
}

} // namespace

u8 cmos_read(u8 index) {
    SpinLockGuard guard(cmos_lock);
    outb(port_cmos_index, index);
    return inb(port_cmos_data);
}

void cmos_write(u8 index, u8 value) {
    SpinLockGuard guard(cmos_lock);
    outb(port_cmos_index, index);
    outb(port_cmos_data, value);
}

void init_rtc() {
    acpi::PhysReader mem;
    Result<Bytes> fadt = acpi::find_table(mem, "FACP");
    if (!fadt.ok()) {
        return; // no FADT: a PC without ACPI power management still has its RTC
    }
    Bytes t = fadt.value();
    if (t.size() > fadt_century) {
        century_index = t[fadt_century];
    }
    if (t.size() >= fadt_iapc_boot_arch + 2) {
        rtc_absent = (read_le<u16>(t, fadt_iapc_boot_arch) & iapc_cmos_rtc_not_present) != 0;
    }
}

Result<CivilTime> read_rtc() {
    if (rtc_absent) {
        return Errno::enodev;
    }
    // The registers change together only outside an update cycle; two equal readings prove
    // none came between (the classic way: an update may start right after the flag is read).
    Optional<Raw> raw;
    for (int attempt = 0; attempt < 5 && !raw; ++attempt) {
        if (!wait_for_no_update()) {
            return Errno::eio;
        }
        Raw first = read_raw();
        if (!wait_for_no_update()) {
            return Errno::eio;
        }
        if (read_raw() == first) {
            raw = first;
        }
    }
    if (!raw) {
        return Errno::eio;
    }
    bool binary = (raw->status_b & cmos_b_binary) != 0;
    auto decode = [binary](u8 v) -> u8 {
        return binary ? v : static_cast<u8>((v >> 4) * 10 + (v & 0xf));
    };
    const Array<u8, 7>& f = raw->fields;
    CivilTime t;
    t.second = decode(f[0]);
    t.minute = decode(f[1]);
    t.hour = decode(static_cast<u8>(f[2] & ~hour_pm));
    if ((raw->status_b & cmos_b_24_hour) == 0) {
        // 12-hour form: 12 AM is midnight, 12 PM noon.
        t.hour = t.hour % 12 + ((f[2] & hour_pm) != 0 ? 12 : 0);
    }
    t.day = decode(f[3]);
    t.month = decode(f[4]);
    t.year = u32{decode(f[6])} * 100 + decode(f[5]);
    if (!unix_from_civil(t).ok()) {
        return Errno::eio;
    }
    return t;
}

} // namespace keel::x86

namespace keel::arch {

Result<u64> rtc_seconds() {
    CivilTime t = TRY(x86::read_rtc());
    return unix_from_civil(t);
}

} // namespace keel::arch
