// ktests of the PL031 wall clock: found where the device tree says and kept from drivers, and its
// calendar arithmetic. Reading and ticking are the portable rtc.* ktests.
#include <keel/civil_time.h>
#include <keel/io_mem.h>
#include <keel/ktest.h>

#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/rtc.h"

namespace keel::arch {
namespace {

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
