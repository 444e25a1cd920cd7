#include <keel/ktl/array.h>
#include <keel/log.h>
#include <keel/power.h>
#include <keel/spin_lock.h>

#include <arch/power.h>

namespace keel {

namespace {
constexpr usize max_hooks = 8;
constinit SpinLock hooks_lock;
constinit Array<PowerOffHook*, max_hooks> hooks{};
constinit usize hook_count = 0;
} // namespace

Result<void> add_power_off_hook(PowerOffHook& hook) {
    SpinLockGuard guard(hooks_lock);
    if (hook_count == max_hooks) {
        return Errno::enospc;
    }
    hooks[hook_count++] = &hook;
    return {};
}

[[noreturn]] void power_off(int status) {
    log::info("power off, status {}", status);
    usize count = 0;
    {
        SpinLockGuard guard(hooks_lock);
        count = hook_count;
    }
    // Hooks are only ever added: the first count stay as they are.
    for (usize i = 0; i < count; ++i) {
        hooks[i]->before_power_off();
    }
    arch::power_off(status);
}

} // namespace keel
