// ktests of riscv64 paging and traps, against what the hart really uses: the tables satp points
// at (walked with the page-table engine) and loads that may fault (probe_read recovers them).
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/vm_space.h>

#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/paging.h>

#include "boot_layout.h"
#include "csr.h"
#include "early_device_window.h"
#include "isa.h"
#include "live_tables.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"
#include "sched/scheduler.h"
#include "svpbmt.h"
#include "trap.h"

namespace keel::arch {
namespace {

using riscv::probe_read;
using riscv::query_active;

bool is_qemu_virt() { return boot_info().platform.model.view() == StringView("riscv-virtio,qemu"); }

bool disjoint(VirtRange a, VirtRange b) { return a.end <= b.base || b.end <= a.base; }

// A kernel mapping of va with exactly these permissions, global, not user, at phys.
bool kernel_maps(uptr va, u64 phys, Perms perms) {
    Optional<mm::Mapping> m = query_active(va);
    return m && m->phys + (va - m->va) == phys && m->attrs.perms == perms && m->attrs.global &&
           !m->attrs.user;
}

KTEST(riscv64, the_kernel_space_is_live) {
    u64 satp = riscv::csr::read_satp();
    KEXPECT_EQ(riscv::active_root(), mm::kernel_root());
    KEXPECT_EQ(satp >> riscv::csr::satp_mode_shift, static_cast<u64>(riscv::boot_mapping.mode));
    KEXPECT_EQ((satp >> riscv::csr::satp_asid_shift) & riscv::csr::satp_asid_mask, u64{0});
    // No identity map and no user half: the image's physical address is not mapped.
    KEXPECT(!query_active(kernel_image_phys().base).has_value());
    KEXPECT(!probe_read(kernel_image_phys().base).has_value());
}

KTEST(riscv64, image_sections_have_their_permissions) {
    KernelLayout l = kernel_layout();
    auto phys = [&](uptr va) { return l.image_phys + (va - l.text.base); };
    for (uptr va : {l.text.base, l.text.end - page_size}) {
        KEXPECT(kernel_maps(va, phys(va), Perms::read_exec));
    }
    for (uptr va : {l.rodata.base, l.rodata.end - page_size}) {
        KEXPECT(kernel_maps(va, phys(va), Perms::read));
    }
    for (uptr va : {l.data.base, l.data.end - page_size}) {
        KEXPECT(kernel_maps(va, phys(va), Perms::read_write));
        KEXPECT(probe_read(va).has_value());
    }
}

KTEST(riscv64, linear_map_is_rw_nx_and_the_image_alias_read_only) {
    KernelLayout l = kernel_layout();
    usize usable = 0;
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind == MemoryKind::Usable) {
            ++usable;
            KEXPECT(kernel_maps(phys_to_virt(r.base), r.base, Perms::read_write));
            KEXPECT(kernel_maps(phys_to_virt(r.end() - page_size), r.end() - page_size,
                                Perms::read_write));
        }
    }
    KEXPECT(usable > 0);
    u64 rodata = l.image_phys + (l.rodata.base - l.text.base);
    u64 data = l.image_phys + (l.data.base - l.text.base);
    KEXPECT(kernel_maps(phys_to_virt(l.image_phys), l.image_phys, Perms::read));
    KEXPECT(kernel_maps(phys_to_virt(rodata), rodata, Perms::read));
    KEXPECT(kernel_maps(phys_to_virt(data), data, Perms::read_write));
}

KTEST(riscv64, boot_stack_guard_is_unmapped) {
    VirtRange stack = boot_stack();
    uptr guard = stack.base - page_size;
    KEXPECT(guard % page_size == 0 && guard >= kernel_layout().data.base);
    KEXPECT(stack.end - stack.base >= 16 * 1024);
    KEXPECT(!query_active(guard).has_value());
    KEXPECT(!probe_read(guard).has_value()); // the hart agrees: the load faults
    KEXPECT(!probe_read(stack.base - 8).has_value());
    KEXPECT(probe_read(stack.base).has_value());
    KEXPECT(probe_read(guard - 8).has_value()); // the data below the guard is still there
}

KTEST(riscv64, a_trap_without_room_on_the_stack_uses_the_emergency_stack) {
    riscv::TrapCpu& cpu = riscv::this_trap_cpu();
    KEXPECT(&cpu == &riscv::keel_riscv_boot_trap_cpu);
    VirtRange stack = sched::current().stack_range; // the boot stack, or a task's
    KEXPECT_EQ(cpu.stack_limit, stack.base);
    u64 before = cpu.emergency_entries;
    KEXPECT(!probe_read(stack.base - page_size).has_value()); // room: stays on the boot stack
    KEXPECT_EQ(cpu.emergency_entries, before);
    // Pretend the stack ends at our own frame: the next trap's frame cannot fit.
    // SAFETY: only the frame's address is used, as a number.
    uptr frame = reinterpret_cast<uptr>(__builtin_frame_address(0));
    riscv::set_kernel_stack({frame, stack.end});
    Optional<u64> probed = probe_read(stack.base - page_size);
    riscv::set_kernel_stack(stack);
    KEXPECT(!probed.has_value());
    KEXPECT_EQ(cpu.emergency_entries, before + 1);
    VirtRange emergency = riscv::emergency_stack();
    KEXPECT_EQ(emergency.end - emergency.base, u64{EMERGENCY_STACK_SIZE});
    KEXPECT_EQ(cpu.emergency_top, emergency.end);
    KEXPECT(disjoint(emergency, {stack.base - page_size, stack.end}));
}

KTEST(riscv64, kernel_stacks_unmap_with_a_flush) {
    Result<mm::KernelStack> made = mm::KernelStack::allocate();
    KASSERT(made.ok());
    VirtRange range = made.value().range();
    KEXPECT(probe_read(range.base).has_value()); // now cached in the TLB
    KEXPECT(!probe_read(made.value().guard_page()).has_value());
    { mm::KernelStack dropped = static_cast<mm::KernelStack&&>(made.value()); }
    KEXPECT(!probe_read(range.base).has_value()); // flush_kernel_page dropped it
}

KTEST(riscv64, asids_are_probed_from_satp) {
    u32 n = asid_count();
    KEXPECT(n == 0 || (n >= 2 && n <= 65536 && (n & (n - 1)) == 0));
    if (is_qemu_virt()) {
        KEXPECT_EQ(n, u32{65536}); // QEMU implements all 16 ASID bits
    }
}

KTEST(riscv64, user_access_toggles_sum) {
    KEXPECT((riscv::csr::read_sstatus() & riscv::csr::sstatus_sum) == 0);
    user_access_begin();
    KEXPECT((riscv::csr::read_sstatus() & riscv::csr::sstatus_sum) != 0);
    user_access_end();
    KEXPECT((riscv::csr::read_sstatus() & riscv::csr::sstatus_sum) == 0);
}

KTEST(riscv64, user_pages_need_sum_the_space_and_a_flush) {
    constexpr uptr va = 0x10000000;
    constexpr u64 marker = 0x5a5a0123456789a5;
    Result<Box<VmSpace>> made = VmSpace::create();
    Result<Frame> frame = Frame::allocate();
    KASSERT(made.ok() && frame.ok());
    VmSpace& space = *made.value();
    KASSERT(frame.value().write_value<u64>(0, marker).ok());
    KASSERT(space.map(va, frame.value(), Perms::read_write).ok());
    KEXPECT(!probe_read(va).has_value()); // not active yet
    space.activate();
    u64 satp = riscv::csr::read_satp();
    KEXPECT_EQ((satp >> riscv::csr::satp_asid_shift) != 0, asid_count() != 0);
    KEXPECT(!probe_read(va).has_value()); // SUM clear: the kernel may not touch user pages
    user_access_begin();
    Optional<u64> seen = probe_read(va);
    user_access_end();
    KEXPECT(seen.has_value() && *seen == marker);
    // SUM stays set from the load that filled the TLB to the one after the unmap (QEMU drops
    // its whole TLB when SUM changes, which would hide a missing flush_user_page).
    user_access_begin();
    seen = probe_read(va);
    Result<void> unmapped = space.unmap(va, page_size); // flush_user_page with the space's ASID
    Optional<u64> stale = probe_read(va);
    user_access_end();
    KEXPECT(seen.has_value() && unmapped.ok());
    KEXPECT(!stale.has_value());
    VmSpace::deactivate();
    KEXPECT_EQ(riscv::active_root(), mm::kernel_root());
}

KTEST(riscv64, pte_format_matches_the_hart) {
    NativePteFormat format = pte_format();
    bool sv48 = riscv::boot_mapping.mode == riscv::PagingMode::Sv48;
    KEXPECT_EQ(format.levels(), sv48 ? 4u : 3u);
    bool listed = riscv::boot_hart_has_extension("svpbmt");
    KEXPECT_EQ(format.svpbmt(), listed && riscv::pbmt_accepted());
    if (is_qemu_virt()) {
        // QEMU lists Svpbmt exactly when the CPU has it (-cpu rv64,svpbmt=on), and then the hart
        // takes the bits; without it they fault, which pbmt_accepted survives.
        KEXPECT_EQ(riscv::pbmt_accepted(), listed);
    }
    KEXPECT(riscv::isa_string_has("rv64imafdch_zicsr_zifencei_sstc_svpbmt", "svpbmt"));
    KEXPECT(riscv::isa_string_has("rv64imac_Svpbmt_zicsr", "svpbmt"));
    KEXPECT(!riscv::isa_string_has("rv64imafdch_zicsr_svpbmtx_sstc", "svpbmt"));
    KEXPECT(!riscv::isa_string_has("rv64imafdcsvpbmt", "svpbmt"));
    KEXPECT(riscv::boot_hart_has_extension("zicsr") || !is_qemu_virt());
}

KTEST(riscv64, early_device_mappings_survive_the_switch) {
    DeviceWindow window = device_window();
    MemType type = pte_format().svpbmt() ? MemType::device : MemType::normal;
    usize pages = 0;
    for (const DeviceMapping& m : early_device_mappings()) {
        for (usize i = 0; i < m.pages; ++i, ++pages) {
            uptr va = window.base + (m.first_slot + i) * page_size;
            KEXPECT(kernel_maps(va, m.phys + i * page_size, Perms::read_write));
            Optional<mm::Mapping> mapping = query_active(va);
            KEXPECT(mapping && mapping->attrs.type == type);
        }
    }
    KEXPECT(pages > 0); // the console's UART at least
}

KTEST(riscv64, kernel_layout_is_consistent) {
    KernelLayout l = kernel_layout();
    bool sv48 = riscv::boot_mapping.mode == riscv::PagingMode::Sv48;
    KEXPECT_EQ(l.user_end, sv48 ? uptr{0x800000000000} : uptr{0x4000000000});
    KEXPECT_EQ(l.linear_base, phys_to_virt(0));
    VirtRange linear{l.linear_base, l.linear_base + l.linear_size};
    VirtRange image{l.text.base, l.data.end};
    VirtRange devices{device_window().base,
                      device_window().base + device_window().pages * page_size};
    KEXPECT(l.dynamic.end - l.dynamic.base >= riscv::gigapage_size);
    KEXPECT(l.dynamic.base % riscv::gigapage_size == 0 &&
            l.dynamic.end % riscv::gigapage_size == 0);
    KEXPECT(disjoint(l.dynamic, linear) && disjoint(l.dynamic, image) &&
            disjoint(l.dynamic, devices) && disjoint(linear, image) && disjoint(linear, devices));
    KEXPECT(l.dynamic.base >= (sv48 ? riscv::sv48_linear_base : riscv::sv39_linear_base));
    KEXPECT(l.text.base % page_size == 0 && l.text.end == l.rodata.base &&
            l.rodata.end == l.data.base && l.data.end % page_size == 0);
    KEXPECT(l.text.base < l.text.end && l.rodata.base < l.rodata.end);
    KEXPECT_EQ(l.image_phys, kernel_image_phys().base);
    KEXPECT_EQ(l.data.end - l.text.base, kernel_image_phys().size);
}

} // namespace
} // namespace keel::arch
