// ktests of the riscv64 port: the boot path, the early mappings, clock, console and symbols
// (paging and traps: ktests_paging.cc).
#include <keel/ktest.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/memory.h>

#include "address.h"
#include "backtrace.h"
#include "boot/devicetree.h"
#include "boot_layout.h"
#include "console/uart16550.h"
#include "sbi.h"

namespace keel::arch {
namespace {

constexpr u32 fdt_magic = 0xd00dfeed;

Optional<boot::DeviceTree> device_tree() {
    Optional<PhysRange> dtb = boot_info().device_tree;
    if (!dtb) {
        return none;
    }
    // SAFETY: the boot code read the whole blob through the same linear map.
    Bytes blob = Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(dtb->base)), dtb->size);
    Result<boot::DeviceTree> dt = boot::DeviceTree::open(blob);
    return dt.ok() ? Optional<boot::DeviceTree>(dt.value()) : none;
}

bool is_qemu_virt() { return boot_info().platform.model.view() == StringView("riscv-virtio,qemu"); }

// The region of the boot memory map that contains [base, base + size), if it has that kind.
bool covered_as(u64 base, u64 size, MemoryKind kind) {
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.base <= base && base + size <= r.end()) {
            return r.kind == kind;
        }
    }
    return false;
}

bool ends_with(StringView text, StringView suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

KTEST(riscv64, console_uart_answers) {
    console::Uart16550* uart = console::device_tree_uart16550();
    KASSERT(uart != nullptr);
    KEXPECT(uart->scratch_register_works());
    if (is_qemu_virt()) {
        KEXPECT(uart->name() == StringView("serial@10000000"));
    }
}

KTEST(riscv64, time_counter_advances_at_the_timebase) {
    u64 before = counter();
    u64 after = before;
    for (u32 spin = 0; spin < 10000000 && after == before; ++spin) {
        after = counter();
    }
    KEXPECT(after > before);
    KEXPECT_EQ(counter_frequency(), boot_info().platform.timebase_hz);
    if (is_qemu_virt()) {
        KEXPECT_EQ(counter_frequency(), u64{10000000});
    }
}

KTEST(riscv64, kernel_image_is_reserved) {
    PhysRange image = kernel_image_phys();
    KEXPECT(image.base % riscv::page_size == 0);
    KEXPECT(image.size > 0);
    KEXPECT(covered_as(image.base, image.size, MemoryKind::KernelImage));
    // The boot stack lies inside the image (bss).
    VirtRange stack = boot_stack();
    KEXPECT(stack.end - stack.base >= 32 * 1024);
    KEXPECT(stack.base >= riscv::kernel_base && stack.end <= riscv::kernel_base + image.size);
}

KTEST(riscv64, device_tree_is_reserved_and_mapped) {
    Optional<PhysRange> dtb = boot_info().device_tree;
    KASSERT(dtb.has_value());
    KEXPECT(covered_as(dtb->base, dtb->size, MemoryKind::DeviceTree));
    // SAFETY: the DTB lies in the linear map (the boot code parsed it there).
    Bytes header = Bytes::from_raw(reinterpret_cast<const u8*>(phys_to_virt(dtb->base)), 8);
    KEXPECT_EQ(read_be<u32>(header, 0), fdt_magic);
    KEXPECT_EQ(u64{read_be<u32>(header, 4)}, dtb->size);
    KEXPECT(dtb->end() <= early_phys_limit());
}

KTEST(riscv64, usable_memory_is_ram_minus_reservations) {
    Optional<boot::DeviceTree> dt = device_tree();
    KASSERT(dt.has_value());
    u64 ram = 0;
    dt->for_each_node([&](boot::DeviceTree::Node node) {
        Optional<StringView> type = dt->string_property(node, "device_type");
        if (type && *type == StringView("memory")) {
            (void)dt->for_each_reg(node, [&](u64, u64 size) { ram += size; });
        }
    });
    const BootInfo& boot = boot_info();
    u64 mapped = 0;
    for (const MemoryRegion& r : boot.memory) {
        mapped += r.size;
    }
    u64 usable = boot.total_bytes(MemoryKind::Usable);
    u64 held = ram - usable; // firmware, kernel, DTB, initrd
    u64 initrd = boot.initrd ? boot.initrd->size : 0;
    // All of RAM but the partial pages next to unaligned reservations (the DTB's end).
    KEXPECT(mapped <= ram && ram - mapped < 64 * 1024);
    KEXPECT(usable > 0 && usable < ram);
    KEXPECT(held <= initrd + kernel_image_phys().size + 8 * 1024 * 1024);
}

KTEST(riscv64, paging_mode_matches_the_device_tree) {
    Optional<boot::DeviceTree> dt = device_tree();
    KASSERT(dt.has_value());
    Optional<StringView> mmu;
    dt->for_each_node([&](boot::DeviceTree::Node node) {
        Optional<StringView> type = dt->string_property(node, "device_type");
        if (!mmu && type && *type == StringView("cpu")) {
            mmu = dt->string_property(node, "mmu-type");
        }
    });
    KASSERT(mmu.has_value());
    // Sv57 harts also do Sv48, the most the kernel asks for.
    bool wants_sv48 = *mmu == StringView("riscv,sv48") || *mmu == StringView("riscv,sv57");
    KEXPECT_EQ(riscv::boot_mapping.mode == riscv::PagingMode::Sv48, wants_sv48);
    KEXPECT_EQ(early_phys_limit(), wants_sv48 ? riscv::sv48_linear_size : riscv::sv39_linear_size);
    u64 satp = 0;
    // SAFETY: reading satp has no side effect.
    asm volatile("csrr %0, satp" : "=r"(satp));
    KEXPECT_EQ(satp >> 60, static_cast<u64>(riscv::boot_mapping.mode));
}

KTEST(riscv64, sbi_has_system_reset) {
    constexpr u64 ext_base = 0x10;
    constexpr u64 probe_extension = 3;
    riscv::sbi::Result probe =
        riscv::sbi::call(ext_base, probe_extension, riscv::sbi::ext_system_reset);
    KEXPECT_EQ(probe.error, i64{0});
    KEXPECT(probe.value != 0);
}

[[gnu::noinline]] uptr caller_return_address() {
    uptr record = current_frame_pointer() + static_cast<uptr>(frame_record_offset);
    // SAFETY: current_frame_pointer() is our own frame (not inlined); its record is on the stack.
    uptr our_fp = *reinterpret_cast<const uptr*>(record);
    // Our record's caller link is this function's frame: one more step reaches our caller.
    uptr caller_record = our_fp + static_cast<uptr>(frame_record_offset);
    KEXPECT(boot_stack().contains(caller_record, 16));
    // SAFETY: checked to lie on the boot stack just above.
    return *reinterpret_cast<const uptr*>(caller_record + sizeof(uptr));
}

KTEST(riscv64, frame_records_and_symbols) {
    Optional<SymbolHit> self = symbolize(address_of(&counter));
    KASSERT(self.has_value());
    KEXPECT(self->name == StringView("keel::arch::counter"));
    KEXPECT_EQ(self->offset, u64{0});
    uptr ra = caller_return_address();
    Optional<SymbolHit> caller = symbolize(ra - 1);
    KASSERT(caller.has_value());
    KEXPECT(ends_with(caller->name, "ktest_body_riscv64_frame_records_and_symbols"));
    KEXPECT(!symbolize(address_of(&riscv::boot_mapping)).has_value());
}

} // namespace
} // namespace keel::arch
