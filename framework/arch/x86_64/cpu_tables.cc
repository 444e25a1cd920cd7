// Each CPU's GDT and TSS, in the kernel image (higher half), so that nothing of the boot chain's
// low memory stays in use once the kernel's own page tables replace the boot ones. The TSS
// carries the emergency stack that #DF switches to (IST): a kernel stack overflow faults on
// the guard page, the CPU cannot push the #PF frame there either, and escalates to #DF, which
// then runs on a stack that is known to be good.
#include <keel/ktl/array.h>

#include <arch/smp.h>

#include "address.h"
#include "mm/cpu_local.h"
#include "x86.h"

namespace keel::x86 {

namespace {

// Intel SDM vol. 3, 8.7: the 64-bit TSS. Packed: the 64-bit fields sit at 4 mod 8.
struct [[gnu::packed]] Tss {
    u32 reserved0 = 0;
    Array<u64, 3> rsp{}; // stacks for entering rings 0-2 from user mode
    u64 reserved1 = 0;
    Array<u64, 7> ist{}; // interrupt stack table, slots 1..7
    u64 reserved2 = 0;
    u16 reserved3 = 0;
    u16 iomap_base = 0; // at or past the limit: no I/O permission bitmap
};
static_assert(sizeof(Tss) == 104);

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

constexpr usize gdt_entries = 7; // null, 4 code/data segments, the TSS (two slots)
constexpr usize emergency_stack_size = 16 * 1024;

// Flat segments, accessed bit preset (the CPU would otherwise write it while loading them).
constexpr u64 gdt_kernel_code = 0x00af'9b00'0000'ffff; // long mode, DPL 0
constexpr u64 gdt_kernel_data = 0x00cf'9300'0000'ffff; // writable, DPL 0
constexpr u64 gdt_user_data = 0x00cf'f300'0000'ffff;   // writable, DPL 3
constexpr u64 gdt_user_code = 0x00af'fb00'0000'ffff;   // long mode, DPL 3
constexpr u64 tss_type_available = 0x9;

// One CPU's tables, indexed by arch::cpu_index(). The boot CPU's emergency stack is in the image
// (it is needed before there is any memory management); a secondary CPU's is a guarded kernel
// stack from smp.cc.
struct CpuTables {
    Array<u64, gdt_entries> gdt{};
    Tss tss;
    VirtRange emergency{};
};
constinit Array<CpuTables, max_cpus> cpu_tables{};
struct alignas(4096) BootEmergencyStack {
    Array<u8, emergency_stack_size> bytes{};
};
constinit BootEmergencyStack boot_emergency_stack{};

CpuTables& this_cpu_tables() { return cpu_tables[arch::cpu_index()]; }

// The 16-byte system descriptor of a 64-bit TSS (SDM vol. 3, 8.2.3).
void set_tss_descriptor(Array<u64, gdt_entries>& gdt, usize slot, uptr base) {
    u64 limit = sizeof(Tss) - 1;
    gdt[slot] = (limit & 0xffff) | ((base & 0xff'ffff) << 16) | (tss_type_available << 40) |
                (u64{1} << 47) | (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[slot + 1] = base >> 32;
}

} // namespace

VirtRange emergency_stack() { return this_cpu_tables().emergency; }

uptr tss_rsp0_address() {
    // The TSS is packed: rsp[0] sits at offset 4, which x86 stores to unaligned just fine.
    return address_of(&this_cpu_tables().tss) + __builtin_offsetof(Tss, rsp);
}

void init_cpu_tables(VirtRange emergency) {
    CpuTables& t = this_cpu_tables();
    if (emergency.end == 0) { // the boot CPU
        uptr base = address_of(boot_emergency_stack.bytes.span().data());
        emergency = {base, base + emergency_stack_size};
    }
    t.emergency = emergency;
    t.gdt = {0, gdt_kernel_code, gdt_kernel_data, gdt_user_data, gdt_user_code, 0, 0};
    set_tss_descriptor(t.gdt, tss_selector / 8, address_of(&t.tss));
    t.tss = Tss{};
    t.tss.ist[ist_double_fault - 1] = emergency_stack().end; // 16-byte aligned: a page end
    t.tss.iomap_base = sizeof(Tss);

    DescriptorPointer gdtr{static_cast<u16>(sizeof(t.gdt) - 1), address_of(t.gdt.span().data())};
    // SAFETY: the GDT lives in the kernel image for good and keeps the boot GDT's selectors
    // (0x08 code, 0x10 data), so the running code's segments stay valid. GS is left alone:
    // loading a selector would replace its base, this CPU's per-CPU block (smp.cc). CS can only be
    // reloaded by a far transfer: lretq to the next instruction. LTR marks the TSS descriptor
    // busy, a write into the GDT, which is writable data.
    asm volatile("lgdt %[gdtr]\n\t"
                 "pushq %[code]\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "movl %[data], %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%eax, %%es\n\t"
                 "movl %%eax, %%ss\n\t"
                 "xorl %%eax, %%eax\n\t"
                 "movl %%eax, %%fs\n\t"
                 "movw %[tss], %%ax\n\t"
                 "ltr %%ax"
                 :
                 : [gdtr] "m"(gdtr), [code] "i"(u64{kernel_code_selector}),
                   [data] "i"(u32{kernel_data_selector}), [tss] "i"(tss_selector)
                 : "rax", "memory");
}

} // namespace keel::x86
