// riscv64: the paging concern of the arch contract (arch/paging.h). The kernel half's layout is
// in boot_layout.h; the translation mode (Sv48 or Sv39) is the one entry.S's probe switched on.
#include <arch/paging.h>

#include "kernel_image.h"

#include <keel/log.h>

#include "boot_layout.h"
#include "csr.h"
#include "isa.h"
#include "svpbmt.h"

namespace keel::arch {

using namespace riscv;

namespace {

struct Probed {
    bool done = false;
    bool svpbmt = false;
    u32 asid_bits = 0;
};
constinit Probed probed;
constinit u64 kernel_satp = 0; // the kernel root's satp (ASID 0), once activated

u64 mode_bits() { return static_cast<u64>(boot_mapping.mode) << csr::satp_mode_shift; }

// Svpbmt: the boot hart's device-tree node must list it (riscv,isa-extensions or riscv,isa),
// and the hart must accept PBMT bits: the tree describes the hart, but M-mode firmware must also
// have set menvcfg.PBMTE (which S-mode cannot read), and an older firmware may not have; then
// the bits are reserved and every device mapping would fault.
//
// ASIDLEN: satp.ASID is WARL; the bits that stay set after writing all ones are the implemented
// ones (privileged spec, satp). Kernel mappings are global, so changing the ASID for two
// instructions changes nothing the kernel uses.
void probe() {
    if (probed.done) {
        return;
    }
    bool listed = boot_hart_has_extension("svpbmt");
    probed.svpbmt = listed && pbmt_accepted();
    if (listed && !probed.svpbmt) {
        log::warn("riscv: Svpbmt listed but PBMT bits fault (firmware left menvcfg.PBMTE off)");
    }
    u64 satp = csr::read_satp();
    u64 readback = csr::write_satp(satp | csr::satp_asid_mask << csr::satp_asid_shift);
    csr::write_satp(satp);
    probed.asid_bits = static_cast<u32>(
        __builtin_popcountll((readback >> csr::satp_asid_shift) & csr::satp_asid_mask));
    probed.done = true;
}

} // namespace

NativePteFormat pte_format() {
    probe();
    return {boot_mapping.mode == PagingMode::Sv48 ? 4u : 3u, probed.svpbmt};
}

KernelLayout kernel_layout() {
    bool sv48 = boot_mapping.mode == PagingMode::Sv48;
    KernelLayout layout;
    layout.linear_base = boot_mapping.linear_base;
    layout.linear_size = boot_mapping.linear_size;
    layout.dynamic = sv48 ? VirtRange{sv48_dynamic_base, sv48_dynamic_base + sv48_dynamic_size}
                          : VirtRange{sv39_dynamic_base, sv39_dynamic_base + sv39_dynamic_size};
    layout.user_end = sv48 ? sv48_user_end : sv39_user_end;
    ImageSections image = linked_image_sections();
    layout.text = image.text;
    layout.rodata = image.rodata;
    layout.data = image.data;
    layout.image_phys = boot_mapping.load_phys; // __text_start is the image's first byte
    return layout;
}

void activate_kernel_root(u64 root_phys) {
    probe(); // while the boot tables are still in use, before anything can depend on the result
    kernel_satp = mode_bits() | root_phys >> 12;
    // The first fence orders the new tables' stores before the walk; the second drops every
    // translation cached from the boot tables, global ones included. The new root maps the code,
    // the stack and the trap block (the generic kernel space maps the whole image), and nothing
    // of the boot tables is used afterwards (the early device window is retired).
    csr::sfence_all();
    csr::write_satp(kernel_satp);
    csr::sfence_all();
    log::info("riscv: kernel page tables active: {}, Svpbmt {}, {} ASIDs",
              boot_mapping.mode == PagingMode::Sv48 ? StringView("Sv48") : "Sv39",
              probed.svpbmt ? StringView("yes") : "no", asid_count());
}

u32 asid_count() {
    probe();
    return probed.asid_bits == 0 ? 0 : u32{1} << probed.asid_bits;
}

void activate_user_root(u64 root_phys, u32 asid) {
    u64 tag = asid_count() == 0 ? 0 : u64{asid} & csr::satp_asid_mask;
    csr::write_satp(mode_bits() | tag << csr::satp_asid_shift | root_phys >> 12);
    if (asid_count() == 0) {
        // Without ASIDs every address space is tagged 0: drop the previous one's translations.
        csr::sfence_asid(0);
    }
}

void deactivate_user_root() {
    csr::write_satp(kernel_satp);
    if (asid_count() == 0) {
        csr::sfence_asid(0);
    }
}

void flush_kernel_page(uptr va) { csr::sfence_page(va); }

void flush_user_page(uptr va, u32 asid) { csr::sfence_page_asid(va, asid_count() == 0 ? 0 : asid); }

void flush_user_asid(u32 asid) { csr::sfence_asid(asid_count() == 0 ? 0 : asid); }

void user_access_begin() {
    // SAFETY: sets sstatus.SUM; kernel loads and stores may then reach U pages.
    asm volatile("csrs sstatus, %0" ::"r"(csr::sstatus_sum) : "memory");
}

void user_access_end() {
    // SAFETY: clears sstatus.SUM again.
    asm volatile("csrc sstatus, %0" ::"r"(csr::sstatus_sum) : "memory");
}

} // namespace keel::arch
