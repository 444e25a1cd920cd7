// Runs the ktest cases collected in the `ktest_cases` section (keel/ktest.h).
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/log.h>

#include "console/console.h"

// The linker defines these for any section whose name is a C identifier.
extern "C" const keel::ktest::Case __start_ktest_cases[];
extern "C" const keel::ktest::Case __stop_ktest_cases[];

namespace keel::ktest {

namespace {
constinit usize current_failures = 0;
constinit bool current_skipped = false;

bool contains(StringView text, StringView part) {
    for (usize i = 0; i + part.size() <= text.size(); ++i) {
        if (text.substr(i, part.size()) == part) {
            return true;
        }
    }
    return false;
}

// The filter is a comma-separated list of substrings of "suite.name"; a case runs when any
// matches (all run for an empty filter).
bool matches(StringView suite, StringView name, StringView filter) {
    if (filter.empty()) {
        return true;
    }
    FixedString<160> full;
    format(full, "{}.{}", suite, name);
    while (!filter.empty()) {
        usize comma = 0;
        while (comma < filter.size() && filter[comma] != ',') {
            ++comma;
        }
        StringView part = filter.substr(0, comma);
        if (!part.empty() && contains(full.view(), part)) {
            return true;
        }
        filter = filter.substr(min(comma + 1, filter.size()));
    }
    return false;
}

Span<const Case> all_cases() {
    usize count = static_cast<usize>(__stop_ktest_cases - __start_ktest_cases);
    // SAFETY: the linker bounds the section with these two symbols.
    return Span<const Case>::from_raw(__start_ktest_cases, count);
}
} // namespace

void skip(StringView reason) {
    current_skipped = true;
    format(console::sink(), "ktest:   skipped: {}\n", reason);
}

void record_failure(StringView what, const char* file, int line) {
    ++current_failures;
    format(console::sink(), "ktest:   expected {} at {}:{}\n", what,
           StringView::from_c_string(file), line);
}

void record_failure_values(StringView expr, StringView lhs, StringView rhs, const char* file,
                           int line) {
    ++current_failures;
    format(console::sink(),
           "ktest:   expected {} at {}:{}\nktest:     left:  {}\nktest:     right: {}\n", expr,
           StringView::from_c_string(file), line, lhs, rhs);
}

usize run_all(StringView filter) {
    usize passed = 0;
    usize failed = 0;
    usize alone_skipped = 0;
    usize skipped = 0;
    for (const Case& c : all_cases()) {
        StringView suite = StringView::from_c_string(c.suite);
        StringView name = StringView::from_c_string(c.name);
        if (!matches(suite, name, filter)) {
            continue;
        }
        if (c.alone) {
            FixedString<160> full;
            format(full, "{}.{}", suite, name);
            if (full.view() != filter) {
                ++alone_skipped;
                continue;
            }
            format(console::sink(), "ktest: RUN {}.{} (runs alone)\n", suite, name);
        }
        current_failures = 0;
        current_skipped = false;
        u64 start = clock::monotonic_ns();
        c.body();
        u64 micros = (clock::monotonic_ns() - start) / 1000;
        bool ok = current_failures == 0;
        StringView verdict = !ok               ? StringView("FAIL")
                             : current_skipped ? StringView("SKIP")
                                               : StringView("PASS");
        format(console::sink(), "ktest: {} {}.{} ({} us)\n", verdict, suite, name, micros);
        (ok ? passed : failed) += 1;
        skipped += ok && current_skipped ? 1 : 0;
    }
    if (alone_skipped > 0) {
        format(console::sink(),
               "ktest: {} cases not run: each ends the kernel or needs typed input, so each runs "
               "alone (ktest=suite.name; ./keel test does)\n",
               alone_skipped);
    }
    if (skipped > 0) {
        format(console::sink(), "ktest: {} of the passed cases skipped (reasons above)\n", skipped);
    }
    // Exactly this form, alone on its line: CI and ./keel read it.
    format(console::sink(), "ktest: {} passed, {} failed\n", passed, failed);
    return failed;
}

} // namespace keel::ktest
