// Calendar conversion both ways, against known dates and over every day of 1970..2500.
#include <keel/civil_time.h>

#include <gtest/gtest.h>

using namespace keel;

TEST(CivilTime, KnownDates) {
    CivilTime t = civil_from_unix(1763724279); // 2025-11-21 11:24:39
    EXPECT_EQ(t.year, 2025u);
    EXPECT_EQ(t.month, 11u);
    EXPECT_EQ(t.day, 21u);
    EXPECT_EQ(t.hour, 11u);
    EXPECT_EQ(t.minute, 24u);
    EXPECT_EQ(t.second, 39u);
    EXPECT_EQ(unix_from_civil({9999, 12, 31, 23, 59, 59}).value(), 253402300799u);
}

TEST(CivilTime, EveryDayRoundTrips) {
    for (u64 day = 0; day < 194000; ++day) { // 1970 .. about 2501
        u64 seconds = day * 86400 + (day * 7919) % 86400;
        CivilTime t = civil_from_unix(seconds);
        Result<u64> back = unix_from_civil(t);
        ASSERT_TRUE(back.ok()) << day;
        ASSERT_EQ(back.value(), seconds) << day;
    }
}

TEST(CivilTime, ImpossibleDatesAreRefused) {
    EXPECT_EQ(unix_from_civil({2023, 2, 29, 0, 0, 0}).error(), Errno::einval);
    EXPECT_EQ(unix_from_civil({2024, 4, 31, 0, 0, 0}).error(), Errno::einval);
    EXPECT_EQ(unix_from_civil({2024, 13, 1, 0, 0, 0}).error(), Errno::einval);
    EXPECT_EQ(unix_from_civil({2024, 1, 1, 24, 0, 0}).error(), Errno::einval);
    EXPECT_EQ(unix_from_civil({1969, 12, 31, 23, 59, 59}).error(), Errno::einval);
    EXPECT_EQ(unix_from_civil({2024, 0, 1, 0, 0, 0}).error(), Errno::einval);
}
