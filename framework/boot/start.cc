#include "boot/start.h"

#include <keel/civil_time.h>
#include <keel/clock.h>
#include <keel/cmdline.h>
#include <keel/console_input.h>
#include <keel/log.h>
#include <keel/main.h>

#include <arch/clock.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <arch/memory.h>
#include <arch/power.h>
#include <arch/task.h>

#include "boot/devicetree.h"
#include "boot/protocols.h"
#include "bus/bus.h"
#include "console/console.h"
#include "log/log_internal.h"
#include "mm/init.h"
#include "sched/scheduler.h"
#include "smp.h"

namespace keel {

namespace {
constinit BootInfo the_boot_info{};
constinit CommandLine the_command_line{};
constinit boot::MemoryMapBuilder the_map_builder{};

// Physical memory through the boot linear map, refusing anything beyond it.
class LinearMapReader final : public boot::PhysReader {
public:
    Optional<Bytes> read(u64 phys, usize size) const override {
        u64 end = 0;
        if (!checked_add(phys, u64{size}, end) || end > arch::early_phys_limit() || phys == 0) {
            return none;
        }
        // SAFETY: [phys, end) lies inside the boot linear map, which maps it readable.
        return Bytes::from_raw(reinterpret_cast<const u8*>(arch::phys_to_virt(phys)), size);
    }
};

void log_wall_clock() {
    Result<u64> now = clock::wall_clock_seconds();
    if (now.is_error()) {
        log::info("rtc: none ({})", now.error());
        return;
    }
    CivilTime t = civil_from_unix(now.value());
    log::info("rtc: {}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year, t.month, t.day, t.hour, t.minute,
              t.second);
}

// The device-tree console's receive interrupt (x86 wires COM1's in arch::init_interrupts).
void enable_console_input(const BootInfo& info) {
    if (!info.device_tree || console_input::available()) {
        return;
    }
    LinearMapReader mem;
    Optional<Bytes> blob = mem.read(info.device_tree->base, info.device_tree->size);
    Result<boot::DeviceTree> dt =
        blob ? boot::DeviceTree::open(*blob) : Result<boot::DeviceTree>(Errno::einval);
    Result<void> done = dt.ok() ? console::enable_device_tree_input(dt.value()) : dt.error();
    if (done.is_error()) {
        log::info("console: no input interrupt ({})", done.error());
    }
}
} // namespace

const BootInfo& boot_info() { return the_boot_info; }
const CommandLine& command_line() { return the_command_line; }

namespace boot {

[[noreturn]] void start(const Handoff& handoff) {
    BootInfo& info = the_boot_info;
    MemoryMapBuilder& map = the_map_builder;
    LinearMapReader mem;
    Result<void> parsed = Errno::einval;
    switch (handoff.protocol) {
    case BootProtocol::Pvh:
        parsed = parse_pvh(mem, handoff.info_phys, info, map);
        break;
    case BootProtocol::Multiboot2:
        parsed = parse_multiboot2(mem, handoff.info_phys, info, map);
        break;
    case BootProtocol::DeviceTree: {
        // The header says how large the tree is; read the header first, then the whole tree.
        Optional<Bytes> header = mem.read(handoff.info_phys, 8);
        u32 total = header ? read_be<u32>(*header, 4) : 0;
        Optional<Bytes> dtb = total >= 8 ? mem.read(handoff.info_phys, total) : none;
        if (dtb) {
            parsed = parse_device_tree(*dtb, handoff.info_phys, info, map);
        }
        break;
    }
    }
    info.boot_cpu_id = handoff.boot_cpu_id;
    PhysRange image = arch::kernel_image_phys();
    Result<void> built = map.add(image.base, image.size, MemoryKind::KernelImage);
    if (built.ok()) {
        built = map.build(info.memory);
    }
    the_command_line = CommandLine(info.cmdline.view());

    arch::init_clock(info);
    arch::install_console(info);
    if (console::Device* device = console::current()) {
        info.platform.console.write(device->name());
    }
    if (parsed.is_error() || built.is_error()) {
        // The console may be up (x86 always has COM1): say why before giving up.
        log::error("boot: cannot use the {} boot information ({})", handoff.protocol,
                   parsed.is_error() ? parsed.error() : built.error());
        arch::power_off(2);
    }
    log::init_from_command_line(the_command_line);
    log::info("Keel ({}) booting via {}, boot CPU {}", arch::name, info.protocol, info.boot_cpu_id);
    mm::init_memory(info);
    arch::init_interrupts(info);
    log::info("interrupts: {}; timer: {}", arch::interrupt_controller_name(), arch::timer_name());
    log_wall_clock();
    enable_console_input(info);
    sched::init();
    smp::start_other_cpus();
    // The boot flow is now CPU 0's first task like any other: preemptible, and reachable by the
    // IPIs of cross-CPU calls and wake-ups (masked, it would hold them off until it blocks).
    arch::enable_interrupts();
    // After the heap, the interrupt controller and the other CPUs: PCI's MSI vectors and the
    // devices' windows need all three.
    bus::discover_devices();
    keel_main(info);
}

} // namespace boot
} // namespace keel
