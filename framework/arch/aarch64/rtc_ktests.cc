// ktests of the PL031 wall clock: found where the device tree says, kept from drivers, reads a
// plausible date, and ticks in step with the monotonic clock.
#include <keel/civil_time.h>
#include <keel/clock.h>
#include <keel/io_mem.h>
#include <keel/ktest.h>
#include <keel/timer.h>

#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/rtc.h"

namespace keel::arch {
namespace {

constexpr u64 ms = 1000 * 1000;
constexpr u64 jan_1_2024 = 1704067200; // 2024-01-01 00:00:00 UTC

KTEST(aarch64_rtc, is_the_device_tree_pl031_and_kept_from_drivers) {
    Result<boot::DeviceTree> dt = boot_device_tree(boot_info());
    KASSERT(dt.ok());
    u64 base = 0;
    dt.value().for_each_node([&](boot::DeviceTree::Node node) {
        if (base == 0 && dt.value().is_compatible(node, "arm,pl031")) {
            static_cast<void>(
                dt.value().for_each_reg(node, [&](u64 b, u64) { base = base ? base : b; }).ok());
        }
    });
    KASSERT(base != 0);
    KEXPECT_EQ(rtc_phys(), base);
    KEXPECT_EQ(IoMem::acquire(base, 0x1000).error(), Errno::eperm);
}

KTEST(aarch64_rtc, reads_a_date_after_2024) {
    Result<u64> now = rtc_seconds();
    KASSERT(now.ok());
    KEXPECT(now.value() >= jan_1_2024);
    KEXPECT(now.value() < u64{1} << 32); // PL031: a 32-bit seconds counter
}

KTEST(aarch64_rtc, advances_by_about_a_second_over_1_1_s) {
    struct Done final : TimerCallback {
        void on_timer() override { __atomic_store_n(&fired, true, __ATOMIC_RELAXED); }
        bool fired = false;
    } done;
    Result<u64> before = rtc_seconds();
    KASSERT(before.ok());
    Timer timer;
    KASSERT(timer.arm(clock::monotonic_ns() + 1100 * ms, done).ok());
    while (!__atomic_load_n(&done.fired, __ATOMIC_RELAXED)) {
        wait_for_interrupt();
    }
    Result<u64> after = rtc_seconds();
    KASSERT(after.ok());
    // 1.1 s spans at least one seconds boundary and at most two.
    KEXPECT(after.value() >= before.value() + 1);
    KEXPECT(after.value() <= before.value() + 2);
}

bool civil_is(u64 seconds, u64 year, u32 month, u32 day, u32 hour, u32 minute, u32 second) {
    CivilTime t = civil_from_unix(seconds);
    return t.year == year && t.month == month && t.day == day && t.hour == hour &&
           t.minute == minute && t.second == second;
}

KTEST(aarch64_rtc, unix_seconds_become_calendar_dates) {
    KEXPECT(civil_is(0, 1970, 1, 1, 0, 0, 0));
    KEXPECT(civil_is(951782400, 2000, 2, 29, 0, 0, 0)); // 2000 is a leap year (÷400)
    KEXPECT(civil_is(jan_1_2024 - 1, 2023, 12, 31, 23, 59, 59));
    KEXPECT(civil_is(jan_1_2024, 2024, 1, 1, 0, 0, 0));
    KEXPECT(civil_is(4107542399, 2100, 2, 28, 23, 59, 59)); // 2100 is not (÷100)
    KEXPECT(civil_is(4107542400, 2100, 3, 1, 0, 0, 0));
    KEXPECT(civil_is(253402300799, 9999, 12, 31, 23, 59, 59));
}

} // namespace
} // namespace keel::arch
