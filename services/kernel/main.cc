// The services' entry point: the framework has the machine up; from here on everything is the
// Linux personality (for now: the boot report, the in-kernel tests, and power-off).
#include "drivers/bind.h"
#include "services/kernel/boot_report.h"
#include "services/kernel/init.h"

namespace keel::services {
namespace {

// `keel.test_panic`: a deliberate panic a few calls deep, so the test command can check that a
// panic prints its message and a symbolized backtrace on every architecture.
[[gnu::noinline]] void deliberate_panic_inner(int depth) {
    panic("deliberate panic requested on the command line (depth {})", depth);
}
[[gnu::noinline]] void deliberate_panic_outer() { deliberate_panic_inner(2); }

} // namespace
} // namespace keel::services

[[noreturn]] void keel_main(const keel::BootInfo& boot) {
    using namespace keel;
    services::log_boot_report(boot);

    const CommandLine& cmdline = command_line();
    if (cmdline.has("keel.test_panic")) {
        services::deliberate_panic_outer();
    }
    drivers::bind_all();
    if (cmdline.has("ktest")) {
        usize failed = ktest::run_all(cmdline.value("ktest").value_or(StringView()));
        power_off(failed == 0 ? 0 : 1);
    }
    services::run_init(cmdline);
}
