// ktests of the CMOS RTC reader's date arithmetic against known instants. Reading and ticking
// are the portable rtc.* ktests.
#include <keel/ktest.h>

#include "rtc.h"

namespace keel::x86::rtc_ktests {

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

} // namespace keel::x86::rtc_ktests
