// Powering the machine off with a status: 0 means success. Under QEMU the status becomes the
// emulator's exit status (see boards/*/board.sh for how each machine reports it).
#pragma once

#include <keel/ktl/result.h>

namespace keel {

// Logs the status, runs the power-off hooks, then turns the machine off. Called from a task (it
// may sleep in the hooks); a panic turns the machine off without them.
[[noreturn]] void power_off(int status);

// What must reach a device before the machine goes off, such as a log console's last lines.
// Runs in power_off's task, in the order added; each bounds its own time (a device that does
// not answer must not keep the machine on).
class PowerOffHook {
public:
    virtual void before_power_off() = 0;

protected:
    ~PowerOffHook() = default;
};

// The hook must live for good. ENOSPC beyond a few hooks.
Result<void> add_power_off_hook(PowerOffHook& hook);

} // namespace keel
