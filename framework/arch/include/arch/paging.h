// The paging concern of the arch contract (framework/arch_contract.h): declared once here, defined
// by each framework/arch/<arch>/ folder. The PTE format itself is each arch's arch/pte_format.h
// (NativePteFormat); everything here is what needs the running CPU: the probed format, the kernel
// virtual layout, installing roots, TLB maintenance and user-memory access windows.
#pragma once

#include <arch/pte_format.h>

#include "arch_contract.h"

namespace keel::arch {

// The PTE format of this CPU as probed at boot (Sv39 or Sv48, Svpbmt, 1 GiB pages).
NativePteFormat pte_format();

// Where the kernel keeps what in its half of the address space. The generic kernel address
// space (mm/kernel_space.cc) builds exactly these mappings; nothing else is mapped.
struct KernelLayout {
    uptr linear_base = 0; // phys_to_virt(p) == linear_base + p for all RAM
    u64 linear_size = 0;  // physical addresses the linear map may cover
    VirtRange dynamic;    // kernel stacks, IoMem windows: allocated by mm/kernel_vm.cc
    uptr user_end = 0;    // user addresses are [page_size, user_end)
    VirtRange text;       // the kernel image's sections, page aligned
    VirtRange rodata;     // read-only data, ktest cases included
    VirtRange data;       // data, .ksyms and bss, up to the image's end
    u64 image_phys = 0;   // physical address of text.base
};
KernelLayout kernel_layout();

// Makes root the kernel's page tables on this CPU and drops every cached translation. On
// x86/riscv root is also the table used while no user space is active; aarch64 loads TTBR1.
void activate_kernel_root(u64 root_phys);

// Address spaces: ASIDs (riscv, aarch64) or PCIDs (x86) when the CPU has them.
u32 asid_count(); // usable ASIDs, 1..asid_count()-1 (0: none, every switch flushes)
void activate_user_root(u64 root_phys, u32 asid);
void deactivate_user_root(); // only the kernel half stays reachable

// TLB maintenance for this CPU (the shootdown to others comes with SMP).
void flush_kernel_page(uptr va);         // a global (kernel) translation
void flush_user_page(uptr va, u32 asid); // one user translation
void flush_user_asid(u32 asid);          // all translations of an address space

// Between these the kernel may touch user pages (riscv SUM, aarch64 PAN, x86 SMAP).
void user_access_begin();
void user_access_end();

} // namespace keel::arch
