// ktests of the aarch64 port: boot state, the boot address space, the console, the timer and
// frame-record backtraces, each checked against what the hardware or firmware says.
#include <keel/ktest.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/smp.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/layout.h"
#include "arch/aarch64/sysreg.h"
#include "backtrace.h"
#include "boot/devicetree.h"
#include "console/pl011.h"
#include "early_device_window.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"

extern "C" const char __kernel_start[];

namespace keel::arch {

static constexpr u64 mib = 1024 * 1024;

static bool covered_by(u64 base, u64 size, MemoryKind kind) {
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind == kind && r.base <= base && base + size <= r.end()) {
            return true;
        }
    }
    return false;
}

// Bytes of the kernel through its link-time mapping.
static Bytes kernel_bytes(usize size) {
    // SAFETY: the image is mapped from __kernel_start for kernel_image_phys().size bytes.
    return Bytes::from_raw(reinterpret_cast<const u8*>(__kernel_start), size);
}

// The same bytes through the linear map, at the physical address boot.S found.
static Bytes kernel_bytes_linear(usize size) {
    // SAFETY: the linear map covers all of RAM, and the image lies in RAM.
    return Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(kernel_image_phys().base)),
                           size);
}

KTEST(aarch64, runs_at_el1_with_mmu_and_caches_on) {
    // SAFETY (all reads here and below): reading system registers has no side effects.
    KEXPECT_EQ((KEEL_READ_SYSREG(CurrentEL) >> 2) & 3, u64{1});
    u64 sctlr = KEEL_READ_SYSREG(sctlr_el1);
    KEXPECT_EQ(sctlr & 0x1005, u64{0x1005}); // M, C, I
    u64 tcr = KEEL_READ_SYSREG(tcr_el1);
    KEXPECT_EQ((tcr >> 16) & 0x3f, u64{16}); // T1SZ: 48-bit kernel half
}

KTEST(aarch64, boot_cpu_id_is_mpidr_affinity) {
    // CPU 0's MPIDR, read there (smp.cc): a task may run on any CPU.
    KEXPECT_EQ(boot_info().boot_cpu_id, cpu_mpidr(0) & 0xffffff);
    u64 saved = save_and_disable_interrupts();
    u64 mpidr = KEEL_READ_SYSREG(mpidr_el1);
    u64 recorded = cpu_mpidr(cpu_index());
    restore_interrupts(saved);
    KEXPECT_EQ(mpidr & 0xff00ffffff, recorded);
}

KTEST(aarch64, image_header_describes_the_image) {
    Bytes head = kernel_bytes(64);
    KEXPECT_EQ(read_le<u32>(head, 0x38), u32{0x644d5241}); // "ARM\x64"
    KEXPECT_EQ(read_le<u64>(head, 0x10), kernel_image_phys().size);
    KEXPECT_EQ(read_le<u64>(head, 0x18), u64{0xa});
    // boot.S maps the image with 2 MiB blocks, so it must have been loaded 2 MiB aligned.
    KEXPECT_EQ(kernel_image_phys().base % (2 * mib), u64{0});
    // The physical base is right if the linear map shows the same bytes there.
    KEXPECT_EQ(read_le<u64>(kernel_bytes_linear(64), 0), read_le<u64>(head, 0));
    KEXPECT_EQ(read_le<u32>(kernel_bytes_linear(64), 0x38), u32{0x644d5241});
}

KTEST(aarch64, image_and_device_tree_are_reserved) {
    PhysRange image = kernel_image_phys();
    KEXPECT(covered_by(image.base, image.size, MemoryKind::KernelImage));
    KASSERT(boot_info().device_tree.has_value());
    PhysRange dtb = *boot_info().device_tree;
    KEXPECT(covered_by(dtb.base, dtb.size, MemoryKind::DeviceTree));
    KEXPECT(!covered_by(image.base, 1, MemoryKind::Usable));
    KEXPECT(!covered_by(dtb.base, 1, MemoryKind::Usable));
}

KTEST(aarch64, linear_map_reads_the_device_tree) {
    KASSERT(boot_info().device_tree.has_value());
    u64 dtb = boot_info().device_tree->base;
    // SAFETY: the DTB lies in RAM, inside the linear map.
    Bytes header = Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(dtb)), 8);
    KEXPECT_EQ(read_be<u32>(header, 0), u32{0xd00dfeed});
    KEXPECT_EQ(u64{read_be<u32>(header, 4)}, boot_info().device_tree->size);
}

KTEST(aarch64, usable_memory_is_ram_minus_reservations) {
    KASSERT(boot_info().device_tree.has_value());
    PhysRange dtb = *boot_info().device_tree;
    // SAFETY: as above; boot::start validated the blob.
    Bytes blob = Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(dtb.base)), dtb.size);
    Result<boot::DeviceTree> opened = boot::DeviceTree::open(blob);
    KASSERT(opened.ok());
    const boot::DeviceTree& dt = opened.value();
    u64 ram = 0;
    dt.for_each_node([&](boot::DeviceTree::Node node) {
        Optional<StringView> type = dt.string_property(node, "device_type");
        if (type && *type == StringView("memory")) {
            static_cast<void>(dt.for_each_reg(node, [&](u64, u64 size) { ram += size; }).ok());
        }
    });
    KEXPECT(ram >= 64 * mib && ram % mib == 0); // QEMU's -m
    u64 mapped = 0;
    for (const MemoryRegion& r : boot_info().memory) {
        mapped += r.size;
    }
    // On virt every region lies in RAM; the map only drops the partial pages between a
    // byte-sized reservation (DTB, initrd) and the page-aligned usable memory next to it.
    KEXPECT(mapped <= ram);
    KEXPECT(ram - mapped < boot_info().memory.size() * 4096);
    u64 usable = boot_info().total_bytes(MemoryKind::Usable);
    u64 initrd = boot_info().initrd ? boot_info().initrd->size : 0;
    // Page rounding and firmware reservations: a few MiB at most.
    KEXPECT(usable + kernel_image_phys().size + dtb.size + initrd + 4 * mib >= ram);
    KEXPECT(usable < ram);
}

KTEST(aarch64, console_is_the_device_tree_pl011) {
    console::Pl011* uart = console::device_tree_pl011();
    KASSERT(uart != nullptr);
    KEXPECT_EQ(uart->part_number(), u32{0x011});
    KEXPECT(boot_info().platform.console.view() == StringView("pl011@9000000"));
}

KTEST(aarch64, device_window_survives_in_the_kernel_space) {
    // The console's PL011 was mapped in the early window at boot; the kernel's own tables keep
    // it there, as device memory.
    uptr window = 0;
    for (const DeviceMapping& m : early_device_mappings()) {
        if (m.phys == 0x09000000) {
            window = KEEL_DEVICE_WINDOW + m.first_slot * 4096;
        }
    }
    KASSERT(window != 0);
    Optional<mm::Mapping> mapped = mm::query_kernel(window);
    KASSERT(mapped.has_value());
    KEXPECT(mapped->attrs.type == MemType::device);
    KEXPECT(mapped->attrs.perms == Perms::read_write);
    KEXPECT_EQ(mapped->phys, u64{0x09000000});
    // SAFETY: the Device-nGnRE mapping of the PL011; the id registers are read-only.
    u32 id0 = *reinterpret_cast<volatile const u32*>(window + 0xfe0);
    KEXPECT_EQ(id0 & 0xff, u32{0x11});
    // Since the kernel space took over, map_device_early maps in the dynamic area.
    Result<uptr> again = map_device_early(0x09000000, 0x1000);
    KASSERT(again.ok());
    KEXPECT(again.value() >= KEEL_DYNAMIC_BASE &&
            again.value() < KEEL_DYNAMIC_BASE + KEEL_DYNAMIC_SIZE);
    // SAFETY: as above, through the new mapping.
    u32 id0_again = *reinterpret_cast<volatile const u32*>(again.value() + 0xfe0);
    KEXPECT_EQ(id0_again & 0xff, u32{0x11});
    mm::unmap_device(again.value(), 0x1000);
}

KTEST(aarch64, generic_timer_runs_at_62_5_mhz) {
    KEXPECT_EQ(counter_frequency(), u64{62500000});
    u64 start = counter();
    u64 now = start;
    for (u32 spin = 0; spin < 10000000 && now == start; ++spin) {
        now = counter();
    }
    KEXPECT(now > start);
}

KTEST(aarch64, symbolize_finds_a_known_function) {
    uptr address = address_of(&counter_frequency);
    Optional<SymbolHit> hit = symbolize(address + 4);
    KASSERT(hit.has_value());
    KEXPECT(hit->name == StringView("keel::arch::counter_frequency"));
    KEXPECT_EQ(hit->offset, u64{4});
    KEXPECT(!symbolize(0x1000).has_value());
}

// Returns the return address stored in its own frame record, as print_backtrace reads it.
[[gnu::noinline]] static uptr return_address_from_frame_record() {
    uptr fp = current_frame_pointer();
    if (!boot_stack().contains(fp + frame_record_offset, 2 * sizeof(uptr))) {
        return 0;
    }
    // SAFETY: the record lies on the boot stack (checked) and belongs to this live frame.
    return *reinterpret_cast<const uptr*>(fp + frame_record_offset + sizeof(uptr));
}

KTEST(aarch64, frame_records_hold_the_return_address) {
    uptr ra = return_address_from_frame_record();
    KASSERT(ra != 0);
    Optional<SymbolHit> caller = symbolize(ra - 1);
    Optional<SymbolHit> self =
        symbolize(address_of(&ktest_body_aarch64_frame_records_hold_the_return_address));
    KASSERT(caller.has_value() && self.has_value());
    KEXPECT(caller->name == self->name);
    KEXPECT(caller->offset > 0);
}

} // namespace keel::arch
