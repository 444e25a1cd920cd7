// ktests of the CMOS RTC reader: the date arithmetic against known instants, and the running
// clock: a date after Keel's first year that moves with the monotonic clock.
#include <arch/clock.h>

#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/timer.h>

#include "console/console.h"
#include "rtc.h"

namespace keel::x86::rtc_ktests {

constexpr u64 ms = 1000 * 1000;

KTEST(x86_rtc, unix_seconds_of_known_dates) {
    // Checked against Python's calendar.timegm.
    KEXPECT_EQ(unix_from_civil({1970, 1, 1, 0, 0, 0}).value_or(1), u64{0});
    KEXPECT_EQ(unix_from_civil({2000, 2, 29, 23, 59, 59}).value_or(0), u64{951868799});
    KEXPECT_EQ(unix_from_civil({2000, 3, 1, 0, 0, 0}).value_or(0), u64{951868800});
    KEXPECT_EQ(unix_from_civil({2024, 1, 1, 0, 0, 0}).value_or(0), u64{1704067200});
    KEXPECT_EQ(unix_from_civil({2038, 1, 19, 3, 14, 8}).value_or(0), u64{2147483648});
    KEXPECT_EQ(unix_from_civil({2100, 3, 1, 0, 0, 0}).value_or(0), u64{4107542400});
    // 2100 is not a leap year; nor are hours past 23, months past 12, or years before 1970.
    KEXPECT_EQ(unix_from_civil({2100, 2, 29, 0, 0, 0}).error(), Errno::einval);
    KEXPECT_EQ(unix_from_civil({2024, 1, 1, 24, 0, 0}).error(), Errno::einval);
    KEXPECT_EQ(unix_from_civil({2024, 13, 1, 0, 0, 0}).error(), Errno::einval);
    KEXPECT_EQ(unix_from_civil({1969, 12, 31, 23, 59, 59}).error(), Errno::einval);
}

KTEST(x86_rtc, reads_a_date_after_2024) {
    Result<u64> now = arch::rtc_seconds();
    KASSERT(now.ok());
    KEXPECT(now.value() >= 1704067200); // 2024-01-01 00:00:00 UTC
}

KTEST(x86_rtc, advances_by_about_a_second_over_1_1_s) {
    struct Nothing final : TimerCallback {
        void on_timer() override {}
    } nothing;
    Result<u64> before = arch::rtc_seconds();
    KASSERT(before.ok());
    u64 start = clock::monotonic_ns();
    Timer timer;
    KASSERT(timer.arm(start + 1100 * ms, nothing).ok());
    while (timer.armed()) {
        wait_for_interrupt();
    }
    Result<u64> after = arch::rtc_seconds();
    KASSERT(after.ok());
    // 1.1 s always crosses at least one second boundary and at most two.
    u64 advanced = after.value() - before.value();
    KEXPECT(after.value() >= before.value());
    KEXPECT(advanced >= 1 && advanced <= 2);
    format(console::sink(), "ktest:     RTC advanced {} s over {} ms of the monotonic clock\n",
           advanced, (clock::monotonic_ns() - start) / ms);
}

} // namespace keel::x86::rtc_ktests
