// ktests of the aarch64 paging port (paging.cc): the live kernel tables as the page-table engine
// reads them and as the MMU itself translates them (the AT instruction), the translation
// registers, the empty TTBR0, ASIDs, PAN, and the emergency stack the fault report runs on.
#include <keel/ktest.h>
#include <keel/vm_space.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/paging.h>
#include <arch/smp.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/layout.h"
#include "arch/aarch64/sysreg.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"

extern "C" const char __kernel_start[];
extern "C" const char __kernel_end[];

namespace keel::arch {

namespace {

// Objects in each writable section of the image.
[[gnu::used]] constinit u64 data_probe = 0x5eed;
[[gnu::used]] constinit u64 bss_probe = 0;

enum class At : u8 { kernel_read, kernel_write, user_read };

// The MMU's own answer: the physical address va translates to for this kind of access, or
// none when the access would fault.
Optional<u64> hardware_translate(uptr va, At kind) {
    u64 par = 0;
    u64 saved = save_and_disable_interrupts(); // nothing else may use PAR_EL1 in between
    // AT only translates (it never accesses memory) and writes PAR_EL1, read at once: with
    // interrupts off nothing else uses PAR_EL1 in between.
    switch (kind) {
    case At::kernel_read:
        // SAFETY: AT S1E1R at EL1 translates va as an EL1 read would; only PAR_EL1 changes.
        asm volatile("at s1e1r, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(va) : "memory");
        break;
    case At::kernel_write:
        // SAFETY: AT S1E1W at EL1 translates va as an EL1 write would; only PAR_EL1 changes.
        asm volatile("at s1e1w, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(va) : "memory");
        break;
    case At::user_read:
        // SAFETY: AT S1E0R at EL1 translates va as an EL0 read would; only PAR_EL1 changes.
        asm volatile("at s1e0r, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(va) : "memory");
        break;
    }
    restore_interrupts(saved);
    if ((par & par_fault) != 0) {
        return none;
    }
    return (par & par_address_mask) | (va & (page_size - 1));
}

bool translates_to(uptr va, At kind, u64 phys) {
    Optional<u64> got = hardware_translate(va, kind);
    return got.has_value() && *got == phys;
}

// What a section of the image must look like at va: the engine's entry and the MMU agree.
void expect_image_page(uptr va, Perms perms) {
    Optional<mm::Mapping> m = mm::query_kernel(va);
    KASSERT(m.has_value());
    KEXPECT(m->attrs == mm::PageAttrs::kernel(perms));
    u64 phys = image_virt_to_phys(va);
    KEXPECT_EQ(m->phys + (va - m->va), phys);
    KEXPECT(translates_to(va, At::kernel_read, phys));
    KEXPECT_EQ(hardware_translate(va, At::kernel_write).has_value(), has(perms, Perms::write));
    KEXPECT(!hardware_translate(va, At::user_read).has_value());
}

bool cpu_has_pan() {
    // SAFETY: reading an identification register has no side effects.
    return id_field(KEEL_READ_SYSREG(id_aa64mmfr1_el1), mmfr1_pan) != 0;
}

bool pan_set() {
    // SAFETY: reads PSTATE.PAN (the PAN special register, bit 22); only on CPUs that have it.
    return (KEEL_READ_SYSREG(S3_0_C4_C2_3) & (u64{1} << 22)) != 0;
}

} // namespace

KTEST(aarch64_mm, translation_registers_hold_the_kernel_space) {
    // SAFETY (all reads in this test): reading system registers has no side effects.
    KEXPECT_EQ(KEEL_READ_SYSREG(ttbr1_el1), mm::kernel_root());
    // No user space: the empty table, ASID 0.
    KEXPECT_EQ(KEEL_READ_SYSREG(ttbr0_el1), image_virt_to_phys(address_of(keel_empty_table)));
    KEXPECT_EQ(KEEL_READ_SYSREG(mair_el1), Aarch64PteFormat::mair);
    u64 tcr = KEEL_READ_SYSREG(tcr_el1);
    KEXPECT_EQ(tcr & 0x3f, u64{16});                            // T0SZ
    KEXPECT_EQ((tcr >> 16) & 0x3f, u64{16});                    // T1SZ
    KEXPECT_EQ((tcr >> 14) & 3, u64{0});                        // TG0: 4 KiB
    KEXPECT_EQ((tcr >> 30) & 3, u64{2});                        // TG1: 4 KiB
    KEXPECT_EQ(tcr & ((u64{1} << 7) | (u64{1} << 23)), u64{0}); // EPD0, EPD1: both walk
    KEXPECT_EQ((tcr >> 22) & 1, u64{0});                        // A1: the ASID is TTBR0's
    u64 mmfr0 = KEEL_READ_SYSREG(id_aa64mmfr0_el1);
    KEXPECT_EQ((tcr >> 32) & 7, min(id_field(mmfr0, mmfr0_parange), u64{5})); // IPS
    KEXPECT_EQ((tcr >> 36) & 1, u64{asid_count() == 65536});                  // AS
    // Exceptions from the kernel report on this CPU's emergency stack (the boot CPU's is
    // keel_emergency_stack_top). Masked: the task stays on one CPU between the two reads.
    u64 saved = save_and_disable_interrupts();
    u64 sp_el0 = KEEL_READ_SYSREG(sp_el0);
    uptr expected = emergency_stack_top(cpu_index());
    restore_interrupts(saved);
    KEXPECT_EQ(sp_el0, expected);
    KEXPECT_EQ(emergency_stack_top(0), address_of(keel_emergency_stack_top));
}

KTEST(aarch64_mm, layout_is_page_aligned_and_covers_the_image) {
    KernelLayout l = kernel_layout();
    KEXPECT_EQ(l.text.base, address_of(__kernel_start));
    KEXPECT_EQ(l.text.end, l.rodata.base);
    KEXPECT_EQ(l.rodata.end, l.data.base);
    KEXPECT_EQ(l.data.end, address_of(__kernel_end));
    KEXPECT(is_page_aligned(l.text.end) && is_page_aligned(l.rodata.end) &&
            is_page_aligned(l.data.end));
    KEXPECT_EQ(l.image_phys, kernel_image_phys().base);
    KEXPECT_EQ(l.data.end - l.text.base, kernel_image_phys().size);
    KEXPECT_EQ(l.linear_base, phys_to_virt(0));
    KEXPECT_EQ(l.user_end, u64{1} << 48);
    KEXPECT(l.dynamic.base % (u64{1} << 30) == 0 &&
            l.dynamic.end - l.dynamic.base >= (u64{1} << 30));
    KEXPECT(l.dynamic.base >= l.linear_base + l.linear_size && l.dynamic.end <= l.text.base);
    KEXPECT(l.dynamic.end <= KEEL_DEVICE_WINDOW);
}

KTEST(aarch64_mm, image_sections_have_their_permissions) {
    KernelLayout l = kernel_layout();
    expect_image_page(l.text.base, Perms::read_exec); // the Image header
    expect_image_page(address_of(&counter_frequency), Perms::read_exec);
    expect_image_page(address_of(keel_empty_table), Perms::read);
    expect_image_page(l.rodata.end - page_size, Perms::read); // ktest cases
    expect_image_page(address_of(&data_probe), Perms::read_write);
    expect_image_page(address_of(&bss_probe), Perms::read_write);
    expect_image_page(l.data.end - page_size, Perms::read_write); // boot page tables
    expect_image_page(boot_stack().base, Perms::read_write);
    KEXPECT(!mm::query_kernel(l.text.base - page_size).has_value());
    KEXPECT(!mm::query_kernel(l.data.end).has_value());
}

KTEST(aarch64_mm, linear_alias_of_the_image_is_read_only) {
    KernelLayout l = kernel_layout();
    uptr text = phys_to_virt(l.image_phys);
    Optional<mm::Mapping> m = mm::query_kernel(text);
    KASSERT(m.has_value());
    KEXPECT(m->attrs == mm::PageAttrs::kernel(Perms::read));
    KEXPECT(hardware_translate(text, At::kernel_read).has_value());
    KEXPECT(!hardware_translate(text, At::kernel_write).has_value());
    uptr rodata_end = phys_to_virt(image_virt_to_phys(l.rodata.end - page_size));
    KEXPECT(!hardware_translate(rodata_end, At::kernel_write).has_value());
    uptr data = phys_to_virt(image_virt_to_phys(address_of(&data_probe)));
    m = mm::query_kernel(data);
    KASSERT(m.has_value());
    KEXPECT(m->attrs == mm::PageAttrs::kernel(Perms::read_write));
    KEXPECT(hardware_translate(data, At::kernel_write).has_value());
    // SAFETY: the linear alias of data_probe, read-write (just checked).
    KEXPECT_EQ(*reinterpret_cast<volatile const u64*>(data), u64{0x5eed});
}

KTEST(aarch64_mm, linear_map_covers_ram_and_nothing_else) {
    for (const MemoryRegion& r : boot_info().memory) {
        uptr first = phys_to_virt(r.base);
        uptr last = phys_to_virt(r.end() - page_size);
        KEXPECT(translates_to(first, At::kernel_read, r.base));
        KEXPECT(translates_to(last, At::kernel_read, r.end() - page_size));
    }
    // The PL011 sits below RAM: no Normal-memory alias of a device.
    KEXPECT(!hardware_translate(phys_to_virt(0x09000000), At::kernel_read).has_value());
    KEXPECT(!mm::query_kernel(phys_to_virt(0)).has_value());
}

KTEST(aarch64_mm, boot_stack_guard_page_is_unmapped) {
    VirtRange stack = boot_stack();
    KEXPECT(is_page_aligned(stack.base) && stack.end - stack.base >= 16 * 1024);
    uptr guard = stack.base - page_size;
    KEXPECT(!mm::query_kernel(guard).has_value());
    KEXPECT(!hardware_translate(guard, At::kernel_read).has_value());
    KEXPECT(hardware_translate(stack.base, At::kernel_write).has_value());
    Optional<mm::StackFacts> facts = mm::guard_of(guard + 8);
    KEXPECT(facts.has_value() && facts->boot_stack);
}

KTEST(aarch64_mm, ttbr0_maps_nothing_without_a_user_space) {
    // The boot identity map is gone: the image's physical address does not translate.
    KEXPECT(!hardware_translate(kernel_image_phys().base, At::kernel_read).has_value());
    KEXPECT(!hardware_translate(0, At::kernel_read).has_value());
    KEXPECT(!hardware_translate(0x40000000, At::user_read).has_value());
}

KTEST(aarch64_mm, asid_count_follows_the_cpu) {
    // SAFETY: reading an identification register has no side effects.
    u64 bits = id_field(KEEL_READ_SYSREG(id_aa64mmfr0_el1), mmfr0_asid_bits);
    KEXPECT_EQ(asid_count(), bits == 2 ? u32{65536} : u32{256});
}

KTEST(aarch64_mm, user_space_runs_in_ttbr0_under_its_asid) {
    Result<Box<VmSpace>> created = VmSpace::create();
    Result<Frame> first = Frame::allocate();
    Result<Frame> second = Frame::allocate();
    KASSERT(created.ok() && first.ok() && second.ok());
    VmSpace& space = *created.value();
    KASSERT(first.value().write_value<u64>(0, 0x1111).ok());
    KASSERT(second.value().write_value<u64>(0, 0x2222).ok());
    constexpr uptr va = 0x40000000;
    KASSERT(space.map(va, first.value(), Perms::read_write).ok());
    space.activate();
    // SAFETY: reading the translation table base has no side effects.
    u64 ttbr0 = KEEL_READ_SYSREG(ttbr0_el1);
    KEXPECT((ttbr0 & par_address_mask) != image_virt_to_phys(address_of(keel_empty_table)));
    KEXPECT(ttbr0 >> 48 != 0); // an ASID of its own
    KEXPECT(translates_to(va, At::user_read, first.value().phys()));
    auto read_user = [] {
        user_access_begin();
        // SAFETY: va is mapped read-write for the user in the active space; PAN (if any) is
        // off between user_access_begin and user_access_end.
        u64 value = *reinterpret_cast<volatile const u64*>(va);
        user_access_end();
        return value;
    };
    KEXPECT_EQ(read_user(), u64{0x1111});
    // Replacing the page goes through flush_user_page: the cached translation must not survive.
    KEXPECT(space.unmap(va, page_size).ok());
    KEXPECT(!hardware_translate(va, At::user_read).has_value());
    KASSERT(space.map(va, second.value(), Perms::read).ok());
    KEXPECT_EQ(read_user(), u64{0x2222});
    KEXPECT(!hardware_translate(va, At::kernel_write).has_value()); // read-only now
    KEXPECT(!hardware_translate(address_of(&data_probe), At::user_read).has_value());
    VmSpace::deactivate();
    KEXPECT(!hardware_translate(va, At::user_read).has_value());
    // SAFETY: as above.
    KEXPECT_EQ(KEEL_READ_SYSREG(ttbr0_el1), image_virt_to_phys(address_of(keel_empty_table)));
}

KTEST(aarch64_mm, user_access_window_toggles_pan) {
    if (!cpu_has_pan()) {
        // Cortex-A57 (ARMv8.0) has no PAN: begin/end must be harmless no-ops.
        user_access_begin();
        user_access_end();
        return;
    }
    KEXPECT(pan_set());
    user_access_begin();
    KEXPECT(!pan_set());
    user_access_end();
    KEXPECT(pan_set());
}

// Fatal: run alone with ktest=aarch64_fault.execute_data. An instruction abort (not a data
// abort) at a page mapped without execute permission: "execute of non-executable kernel memory".
KTEST_FATAL(aarch64_fault, execute_data) {
    // A "ret" in .data, so only the PXN bit stops it.
    static constinit u32 ret_instruction = 0xd65f03c0;
    // SAFETY: deliberately faults; the report powers off before anything returns.
    auto code = reinterpret_cast<void (*)()>(reinterpret_cast<uptr>(&ret_instruction));
    code();
    KEXPECT(false); // not reached
}

} // namespace keel::arch
