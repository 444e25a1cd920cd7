#include "services/kernel/boot_report.h"

namespace keel::services {

MemoryTotals memory_totals(const BootInfo& boot) {
    MemoryTotals totals;
    for (const MemoryRegion& region : boot.memory) {
        if (region.kind == MemoryKind::Usable) {
            totals.usable += region.size;
            totals.highest_usable_end = max(totals.highest_usable_end, region.end());
        } else {
            totals.reserved += region.size;
        }
    }
    return totals;
}

void log_boot_report(const BootInfo& boot) {
    log::info("boot protocol: {}{}{}", boot.protocol,
              boot.bootloader.view().empty() ? StringView() : StringView(", bootloader: "),
              boot.bootloader.view());
    log::info("command line: \"{}\"", boot.cmdline.view());
    log::info("memory map ({} regions):", boot.memory.size());
    for (const MemoryRegion& region : boot.memory) {
        log::info("  [{:#018x}-{:#018x}] {:>10} KiB  {}", region.base, region.end() - 1,
                  region.size / 1024, region.kind);
    }
    MemoryTotals totals = memory_totals(boot);
    log::info("memory: {} KiB usable ({} MiB), {} KiB reserved", totals.usable / 1024,
              totals.usable >> 20, totals.reserved / 1024);
    if (boot.initrd) {
        log::info("initrd: {:#x}, {} bytes", boot.initrd->base, boot.initrd->size);
    }
    if (boot.device_tree) {
        log::info("device tree: {:#x}, {} bytes, model \"{}\"", boot.device_tree->base,
                  boot.device_tree->size, boot.platform.model.view());
    }
    if (boot.acpi_rsdp) {
        log::info("ACPI RSDP: {:#x}", *boot.acpi_rsdp);
    }
    if (boot.platform.cpu_count != 0) {
        log::info("CPUs described by firmware: {}", boot.platform.cpu_count);
    }
    if (boot.platform.timebase_hz != 0) {
        log::info("timebase: {} Hz", boot.platform.timebase_hz);
    }
    log::info("console: {}", boot.platform.console.view());
}

} // namespace keel::services
