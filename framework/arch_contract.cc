// Compile-time check of the arch contract (arch_contract.h) for the architecture being built.
#include "arch_contract.h"

#include <arch/clock.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/power.h>

namespace keel::arch {

template <typename T, typename U>
concept Returns = IsSame<T, U>;

static_assert(
    requires {
        { halt() } -> Returns<void>;
        { disable_interrupts() } -> Returns<void>;
        { current_frame_pointer() } -> Returns<uptr>;
        { frame_record_offset } -> Returns<const isize&>;
        { name } -> Returns<const StringView&>;
    }, "arch/cpu.h is incomplete");

static_assert(
    requires(u64 phys, usize size) {
        { phys_to_virt(phys) } -> Returns<uptr>;
        { early_phys_limit() } -> Returns<u64>;
        { kernel_image_phys() } -> Returns<PhysRange>;
        { boot_stack() } -> Returns<VirtRange>;
        { device_window() } -> Returns<DeviceWindow>;
        { map_device_window_slot(size, phys) } -> Returns<void>;
        { device_window_sync() } -> Returns<void>;
    }, "arch/memory.h is incomplete");

static_assert(
    requires(const BootInfo& info) {
        { init_clock(info) } -> Returns<void>;
        { counter() } -> Returns<u64>;
        { counter_frequency() } -> Returns<u64>;
        { install_console(info) } -> Returns<void>;
    }, "arch/clock.h or arch/console.h is incomplete");

static_assert(
    requires(int status) {
        { power_off(status) } -> Returns<void>;
    }, "arch/power.h is incomplete");

} // namespace keel::arch
