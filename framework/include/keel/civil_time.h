// Unix seconds and UTC calendar dates, both ways, on the proleptic Gregorian calendar. Days are
// counted in 400-year eras of 146097 days that start on March 1st, so the leap day falls at the
// end of each era-year (the method of H. Hinnant's "chrono-compatible low-level date
// algorithms"): no loops, no tables.
#pragma once

#include <keel/ktl/array.h>

#include <keel/ktl/result.h>

namespace keel {

struct CivilTime {
    u64 year = 1970;
    u32 month = 1; // 1-12
    u32 day = 1;   // 1-31
    u32 hour = 0;  // 0-23
    u32 minute = 0;
    u32 second = 0;
};

namespace civil_detail {
inline constexpr u64 seconds_per_day = 86400;
inline constexpr u64 days_per_era = 146097;         // 400 Gregorian years
inline constexpr u64 epoch_from_era_start = 719468; // 0000-03-01 to 1970-01-01, in days

constexpr bool is_leap(u64 year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }
constexpr u32 days_in_month(u64 year, u32 month) {
    constexpr Array<u32, 12> lengths{{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}};
    return month == 2 && is_leap(year) ? 29 : lengths[(month - 1) % 12];
}
} // namespace civil_detail

constexpr CivilTime civil_from_unix(u64 seconds) {
    using namespace civil_detail;
    u64 days = seconds / seconds_per_day + epoch_from_era_start;
    u64 of_day = seconds % seconds_per_day;
    u64 era = days / days_per_era;
    u64 day_of_era = days - era * days_per_era; // 0..146096
    // Years into the era: take out the leap days (every 4 years, not every 100, every 400).
    u64 year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    u64 day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    u64 month_from_march = (5 * day_of_year + 2) / 153; // 0 = March .. 11 = February
    u32 day = static_cast<u32>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    u32 month =
        static_cast<u32>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    u64 year = era * 400 + year_of_era + (month <= 2 ? 1 : 0);
    return {year,
            month,
            day,
            static_cast<u32>(of_day / 3600),
            static_cast<u32>(of_day / 60 % 60),
            static_cast<u32>(of_day % 60)};
}

// EINVAL for a field out of range (a 31st of April, 24:00) or a date before 1970.
constexpr Result<u64> unix_from_civil(const CivilTime& t) {
    using namespace civil_detail;
    if (t.year < 1970 || t.year > 1'000'000 || t.month < 1 || t.month > 12 || t.day < 1 ||
        t.day > days_in_month(t.year, t.month) || t.hour > 23 || t.minute > 59 || t.second > 59) {
        return Errno::einval;
    }
    u64 year = t.month <= 2 ? t.year - 1 : t.year;
    u64 era = year / 400;
    u64 year_of_era = year - era * 400;
    u64 month_from_march = t.month > 2 ? t.month - 3 : t.month + 9;
    u64 day_of_year = (153 * month_from_march + 2) / 5 + t.day - 1;
    u64 day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    u64 days = era * days_per_era + day_of_era - epoch_from_era_start;
    return ((days * 24 + t.hour) * 60 + t.minute) * 60 + t.second;
}

namespace civil_checks {
constexpr bool is(CivilTime t, u64 y, u32 mo, u32 d, u32 h, u32 mi, u32 s) {
    return t.year == y && t.month == mo && t.day == d && t.hour == h && t.minute == mi &&
           t.second == s;
}
static_assert(is(civil_from_unix(0), 1970, 1, 1, 0, 0, 0));
static_assert(is(civil_from_unix(951782400), 2000, 2, 29, 0, 0, 0)); // a 400-year leap day
static_assert(is(civil_from_unix(1704067199), 2023, 12, 31, 23, 59, 59));
static_assert(is(civil_from_unix(4107542400), 2100, 3, 1, 0, 0, 0)); // 2100 has no leap day
static_assert(unix_from_civil({2024, 2, 29, 0, 0, 0}).value() == 1709164800);
static_assert(unix_from_civil({2100, 2, 29, 0, 0, 0}).is_error());
} // namespace civil_checks

} // namespace keel
