// riscv64: the power concern of the arch contract, through SBI, plus QEMU's test finisher for
// failing statuses (power_device.h).
#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/power.h>

#include "boot/devicetree.h"
#include "mmio.h"
#include "power_device.h"
#include "sbi.h"

namespace keel::arch {

namespace {
constinit uptr finisher = 0; // the mapped "sifive,test0" registers, 0 when there is none

constexpr u32 finisher_fail = 0x3333; // exit status in bits 31:16

Result<void> find_finisher(u64 dtb_phys) {
    constexpr usize header_size = 8; // magic, totalsize
    if (dtb_phys == 0 || dtb_phys + header_size > early_phys_limit()) {
        return Errno::einval;
    }
    // SAFETY: inside the boot linear map (checked), read-only.
    const u8* raw = reinterpret_cast<const u8*>(phys_to_virt(dtb_phys));
    u32 total = read_be<u32>(Bytes::from_raw(raw, header_size), 4);
    if (total < header_size || dtb_phys + total > early_phys_limit()) {
        return Errno::einval;
    }
    // SAFETY: as above, for the size the header gives; DeviceTree::open checks the rest.
    boot::DeviceTree dt = TRY(boot::DeviceTree::open(Bytes::from_raw(raw, total)));
    Optional<boot::DeviceTree::Node> found;
    dt.for_each_node([&](boot::DeviceTree::Node node) {
        if (!found && dt.is_enabled(node) && dt.is_compatible(node, "sifive,test0")) {
            found = node;
        }
    });
    u64 base = 0;
    if (found) {
        TRY(dt.for_each_reg(*found, [&](u64 b, u64) { base = base ? base : b; }));
    }
    if (base != 0) {
        finisher = TRY(map_device_early(base, sizeof(u32)));
    }
    return {};
}
} // namespace

void riscv::find_power_device(u64 dtb_phys) { (void)find_finisher(dtb_phys); }

[[noreturn]] void power_off(int status) {
    if (status != 0 && finisher != 0) {
        u32 code = static_cast<u32>(status) & 0xffff;
        mmio::write32(finisher, (code == 0 ? 1 : code) << 16 | finisher_fail);
    }
    constexpr u64 shutdown = 0;
    constexpr u64 no_reason = 0;
    constexpr u64 system_failure = 1;
    riscv::sbi::call(riscv::sbi::ext_system_reset, 0, shutdown,
                     status == 0 ? no_reason : system_failure);
    // SRST is missing (SBI before 0.3): the legacy call cannot report a status.
    riscv::sbi::call(riscv::sbi::ext_legacy_shutdown, 0);
    halt();
}

} // namespace keel::arch
