#include "mm/init.h"

#include <keel/log.h>
#include <keel/meminfo.h>
#include <keel/panic.h>

#include <arch/memory.h>

#include "mm/boot_allocator.h"
#include "mm/frames.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"

namespace keel::mm {

namespace {
constinit BootAllocator boot_allocator;

u64 kib(u64 bytes) { return bytes / 1024; }

void log_memory_report(const BootInfo& info) {
    u64 usable = info.total_bytes(MemoryKind::Usable);
    u64 kernel = info.total_bytes(MemoryKind::KernelImage);
    u64 boot_data = info.total_bytes(MemoryKind::Initrd) +
                    info.total_bytes(MemoryKind::DeviceTree) +
                    info.total_bytes(MemoryKind::BootInfo);
    u64 acpi =
        info.total_bytes(MemoryKind::AcpiReclaimable) + info.total_bytes(MemoryKind::AcpiNvs);
    u64 reserved = info.total_bytes(MemoryKind::Reserved);
    u64 ram = usable + kernel + boot_data + acpi;
    MemInfo m = mem_info();
    // One line with fixed words: ./keel test reads "usable" back and compares it with --mem.
    log::info("memory: {} KiB RAM, {} KiB usable, {} KiB kernel image, {} KiB boot data, "
              "{} KiB ACPI, {} KiB firmware-reserved",
              kib(ram), kib(usable), kib(kernel), kib(boot_data), kib(acpi), kib(reserved));
    log::info("memory: {} KiB free after the frame table ({} KiB) and kernel page tables "
              "({} KiB)",
              kib(m.free_bytes), kib(boot_allocator.used_bytes() - m.page_table_bytes),
              kib(m.page_table_bytes));
}
} // namespace

void init_memory(const BootInfo& info) {
    boot_allocator.init(info, arch::early_phys_limit());
    Result<void> done = init_frame_table(info, boot_allocator);
    if (done.ok()) {
        done = init_kernel_space(info, boot_allocator);
    }
    if (done.is_error()) {
        panic("memory: cannot build the frame table and kernel address space ({})", done.error());
    }
    release_unused_boot_memory(info, boot_allocator);
    init_kernel_vm();
    log_memory_report(info);
}

} // namespace keel::mm
