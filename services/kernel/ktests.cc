// ktests of the services' own logic, run in the kernel on every architecture.
#include "services/kernel/boot_report.h"

namespace keel::services {
namespace {

KTEST(boot_report, totals_add_up_to_the_map) {
    const BootInfo& boot = boot_info();
    MemoryTotals totals = memory_totals(boot);
    u64 sum = 0;
    for (const MemoryRegion& region : boot.memory) {
        sum += region.size;
    }
    KEXPECT_EQ(totals.usable + totals.reserved, sum);
    KEXPECT(totals.usable > 0);
    KEXPECT(totals.highest_usable_end > 0);
}

KTEST(command_line, words_values_and_init_arguments) {
    CommandLine line("console=ttyS0 ktest=boot quiet path=\"a b\" -- init-arg");
    KEXPECT(line.has("quiet"));
    KEXPECT(line.has("ktest"));
    KEXPECT(!line.has("init-arg"));
    KEXPECT(line.value("ktest").value_or("") == StringView("boot"));
    KEXPECT(line.value("path").value_or("") == StringView("a b"));
    KEXPECT(!line.value("quiet").has_value());
    KEXPECT(line.init_arguments() == StringView("init-arg"));
}

KTEST(command_line, matches_what_the_bootloader_passed) {
    // The running kernel was started with `ktest` (that is why this runs).
    KEXPECT(command_line().has("ktest"));
    KEXPECT(command_line().text() == boot_info().cmdline.view());
}

} // namespace
} // namespace keel::services
