#include <keel/log.h>
#include <keel/power.h>

#include <arch/power.h>

namespace keel {

[[noreturn]] void power_off(int status) {
    log::info("power off, status {}", status);
    arch::power_off(status);
}

} // namespace keel
