// Compile-time check of the arch contract (arch_contract.h) for the architecture being built.
#include "arch_contract.h"
#include "mm/page_table.h"

#include <arch/barrier.h>
#include <arch/clock.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <arch/memory.h>
#include <arch/paging.h>
#include <arch/pci.h>
#include <arch/power.h>
#include <arch/user_mode.h>

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
    requires {
        { io_write_fence() } -> Returns<void>;
        { io_read_fence() } -> Returns<void>;
        { dma_write_fence() } -> Returns<void>;
        { dma_read_fence() } -> Returns<void>;
        { dma_full_fence() } -> Returns<void>;
    }, "arch/barrier.h is incomplete");

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
    requires(u64 root, u32 asid, uptr va) {
        { pte_format() } -> Returns<NativePteFormat>;
        { kernel_layout() } -> Returns<KernelLayout>;
        { activate_kernel_root(root) } -> Returns<void>;
        { asid_count() } -> Returns<u32>;
        { activate_user_root(root, asid) } -> Returns<void>;
        { deactivate_user_root() } -> Returns<void>;
        { flush_kernel_page(va) } -> Returns<void>;
        { flush_user_page(va, asid) } -> Returns<void>;
        { flush_user_asid(asid) } -> Returns<void>;
        { user_access_begin() } -> Returns<void>;
        { user_access_end() } -> Returns<void>;
    }, "arch/paging.h is incomplete");
static_assert(mm::PageTableFormat<NativePteFormat>, "arch/pte_format.h: not a PageTableFormat");

static_assert(
    requires(const BootInfo& info, u64 deadline) {
        { init_interrupts(info) } -> Returns<void>;
        { set_timer_deadline(deadline) } -> Returns<void>;
        { wait_for_interrupt() } -> Returns<void>;
        { interrupt_controller_name() } -> Returns<StringView>;
        { timer_name() } -> Returns<StringView>;
        { save_and_disable_interrupts() } -> Returns<u64>;
        { restore_interrupts(deadline) } -> Returns<void>;
    }, "arch/interrupts.h or arch/cpu.h is incomplete");

static_assert(
    requires(int status) {
        { power_off(status) } -> Returns<void>;
    }, "arch/power.h is incomplete");

static_assert(
    requires {
        { register_firmware_pci_bridges() } -> Returns<void>;
        { pci_legacy_config() } -> Returns<pci::ConfigSpace*>;
    }, "arch/pci.h is incomplete");

static_assert(
    requires(UserRegisters& regs, const UserRegisters& saved, uptr a, usize i, u64 v, Span<u8> to,
             Span<const u8> from) {
        { init_user_registers(regs, a, a) } -> Returns<void>;
        { enter_user(regs) } -> Returns<UserTrapInfo>;
        { user_hwcap() } -> Returns<u64>;
        { user_register_words } -> Returns<const UserRegisterWords&>;
        { copy_from_user(to, a) } -> Returns<bool>;
        { copy_to_user(a, from) } -> Returns<bool>;
        { copy_string_from_user(to, a) } -> Returns<isize>;
        { user_probe(UserProbe::spin) } -> Returns<Span<const u8>>;
    },
    "arch/user_mode.h is incomplete");

} // namespace keel::arch
