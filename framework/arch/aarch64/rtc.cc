// The PL031 real-time clock (Arm DDI 0224): a 32-bit count of seconds in RTCDR, which QEMU starts
// at the host's time of day. The framework keeps the device (claimed), as it is the wall clock.
#include "arch/aarch64/rtc.h"

#include <keel/io_mem.h>
#include <keel/log.h>

#include "io_mem_internal.h"

namespace keel::arch {

namespace {
struct Data : Register<Data, u32, 0x000> {}; // RTCDR: seconds
struct PeriphId0 : Register<PeriphId0, u32, 0xfe0> {
    KEEL_REG_FIELD(7, 0, part_low);
};
struct PeriphId1 : Register<PeriphId1, u32, 0xfe4> {
    KEEL_REG_FIELD(3, 0, part_high);
};
constexpr u32 pl031_part = 0x031;

constinit Optional<IoMem> rtc;

Result<void> init(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> node;
    dt.for_each_node([&](boot::DeviceTree::Node n) {
        if (!node && dt.is_enabled(n) && dt.is_compatible(n, "arm,pl031")) {
            node = n;
        }
    });
    if (!node) {
        return Errno::enodev;
    }
    PhysRange range;
    TRY(dt.for_each_reg(*node, [&](u64 base, u64 size) {
        if (range.size == 0) {
            range = {base, size};
        }
    }));
    IoMem io = TRY(IoMem::acquire(range.base, range.size));
    Result<PeriphId0> id0 = io.read<PeriphId0>();
    Result<PeriphId1> id1 = io.read<PeriphId1>();
    if (id0.is_error() || id1.is_error() ||
        (id0.value().part_low() | id1.value().part_high() << 8) != pl031_part) {
        return Errno::enodev; // something else sits there
    }
    TRY(claim_device_range(range.base, range.size));
    rtc = move(io);
    return {};
}

} // namespace

Result<u64> rtc_seconds() {
    if (!rtc) {
        return Errno::enodev;
    }
    return TRY(rtc->read<Data>()).value();
}

u64 rtc_phys() { return rtc ? rtc->phys() : 0; }

void init_rtc(const boot::DeviceTree& dt) {
    if (Result<void> found = init(dt); found.is_error()) {
        log::info("rtc: no PL031 ({})", found.error());
    }
}

} // namespace keel::arch
