// riscv64: the boot page tables (layout in boot_layout.h), built by entry.S's call to
// keel_riscv_enable_paging() while the MMU is still off.
//
// Until the MMU is on this code runs at the physical load address, not at its link address. It
// stays correct there because -mcmodel=medany reaches every symbol PC-relative, the file is
// built without jump tables (arch.cmake), and nothing here calls through a pointer stored in
// data (vtables, function pointers) or keeps a symbol's address across the switch.
#include "boot_layout.h"

extern "C" const char __kernel_start[];
extern "C" const char __rodata_start[];
extern "C" const char __rodata_end[];
extern "C" const char __boot_stack_guard[];
extern "C" const char __kernel_end[];

namespace keel::arch::riscv {

constinit BootMapping boot_mapping;

namespace {

using Table = u64[table_entries];

// In bss: entry.S clears it before calling us. Names say what a table covers.
struct alignas(page_size) BootTables {
    Table root;                          // satp's table
    Table top_512g;                      // VA 0xffffff80_00000000..: Sv39's root, or Sv48 root[511]
    Table linear_512g;                   // Sv48: root[256], 1 GiB leaves
    Table identity_512g;                 // Sv48: the image's identity gigapages
    Table kernel_1g;                     // top_512g[510]: 2 MiB slots of the kernel's gigabyte
    Table kernel_2m[kernel_page_tables]; // 4 KiB pages of the image
    Table device_1g;                     // top_512g[384]
    Table device_2m;                     // the device window's 4 KiB pages
};
constinit BootTables tables{};

constexpr usize index_of(uptr va, u32 level) { return (va >> (12 + 9 * level)) & 511; }

u64 phys_of(const void* p) {
    // SAFETY: with the MMU off an address is its physical address; only called before the switch.
    return reinterpret_cast<uptr>(p);
}

// Text is read+execute, rodata read-only, the rest (data, ksyms, bss) read+write; 0 (unmapped)
// for the boot stack's guard page, so that an overflow faults already on the boot tables.
u64 kernel_page_permissions(u64 offset) {
    u64 rodata = static_cast<u64>(__rodata_start - __kernel_start);
    u64 data = static_cast<u64>(__rodata_end - __kernel_start);
    u64 guard = static_cast<u64>(__boot_stack_guard - __kernel_start);
    if (offset == guard) {
        return 0;
    }
    if (offset < rodata) {
        return pte::read | pte::execute;
    }
    return offset < data ? pte::read : pte::read | pte::write;
}

// Fills the tables for one mode; false when the load address does not fit that mode's layout.
bool build(PagingMode mode) {
    BootMapping& m = boot_mapping;
    BootTables& t = tables;
    // A second call (Sv48 refused) starts over. Word by word through volatile: a memset call
    // would run code outside this file before the MMU is on.
    // SAFETY: BootTables is nothing but u64 tables, so it is sizeof / 8 words.
    volatile u64* words = reinterpret_cast<volatile u64*>(&t);
    for (usize i = 0; i < sizeof(BootTables) / sizeof(u64); ++i) {
        words[i] = 0;
    }

    // The kernel image at its link address.
    usize pages = (m.image_size + page_size - 1) / page_size;
    for (usize i = 0; i < pages; ++i) {
        u64 offset = i * page_size;
        u64 permissions = kernel_page_permissions(offset);
        t.kernel_2m[i / table_entries][i % table_entries] =
            permissions == 0 ? 0 : pte::leaf(m.load_phys + offset, permissions | pte::kernel_leaf);
    }
    for (usize i = 0; i < kernel_page_tables; ++i) {
        t.kernel_1g[i] = pte::table(phys_of(&t.kernel_2m[i]));
    }
    t.top_512g[index_of(kernel_base, 2)] = pte::table(phys_of(&t.kernel_1g));

    // The (still empty) device window.
    t.device_1g[index_of(device_window_base, 1)] = pte::table(phys_of(&t.device_2m));
    t.top_512g[index_of(device_window_base, 2)] = pte::table(phys_of(&t.device_1g));

    // The identity map of the image's gigapages, RWX: the code runs from there until the jump.
    m.identity_first = m.load_phys / gigapage_size;
    m.identity_last = (m.load_phys + m.image_size - 1) / gigapage_size;
    u64 identity_leaf = pte::read | pte::write | pte::execute | pte::kernel_leaf;

    if (mode == PagingMode::Sv48) {
        m.linear_base = sv48_linear_base;
        m.linear_size = sv48_linear_size;
        for (u64 g = 0; g < table_entries; ++g) {
            t.linear_512g[g] =
                pte::leaf(g * gigapage_size, pte::read | pte::write | pte::kernel_leaf);
        }
        usize identity_slot = m.load_phys >> 39;
        if (identity_slot != m.identity_last >> 9 ||
            identity_slot == index_of(sv48_linear_base, 3) ||
            identity_slot >= index_of(kernel_base, 3)) {
            return false;
        }
        for (u64 g = m.identity_first; g <= m.identity_last; ++g) {
            t.identity_512g[g % table_entries] = pte::leaf(g * gigapage_size, identity_leaf);
        }
        t.root[identity_slot] = pte::table(phys_of(&t.identity_512g));
        t.root[index_of(sv48_linear_base, 3)] = pte::table(phys_of(&t.linear_512g));
        t.root[index_of(kernel_base, 3)] = pte::table(phys_of(&t.top_512g));
        return true;
    }

    // Sv39: top_512g is the root; its upper half is the kernel's, the lower half identity.
    m.linear_base = sv39_linear_base;
    m.linear_size = sv39_linear_size;
    usize linear_first = index_of(sv39_linear_base, 2);
    for (u64 g = 0; g < sv39_linear_size / gigapage_size; ++g) {
        t.top_512g[linear_first + g] =
            pte::leaf(g * gigapage_size, pte::read | pte::write | pte::kernel_leaf);
    }
    if (m.identity_last >= table_entries / 2) {
        return false;
    }
    for (u64 g = m.identity_first; g <= m.identity_last; ++g) {
        t.top_512g[g] = pte::leaf(g * gigapage_size, identity_leaf);
    }
    return true;
}

// Turns translation on with `mode`; false when the hart ignores the write (mode unsupported).
bool try_enable(PagingMode mode) {
    if (!build(mode)) {
        return false;
    }
    const Table& root = mode == PagingMode::Sv48 ? tables.root : tables.top_512g;
    u64 satp = static_cast<u64>(mode) << 60 | phys_of(&root) >> 12;
    u64 readback = 0;
    // SAFETY: the new tables identity map the code and stack in use, so execution continues;
    // a write of an unsupported mode has no effect (privileged spec, satp), which the read shows.
    asm volatile("sfence.vma zero, zero\n\t"
                 "csrw satp, %1\n\t"
                 "sfence.vma zero, zero\n\t"
                 "csrr %0, satp"
                 : "=r"(readback)
                 : "r"(satp)
                 : "memory");
    return readback == satp;
}

} // namespace

u64* device_window_table() { return tables.device_2m; }

} // namespace keel::arch::riscv

using namespace keel::arch::riscv;

// Called by entry.S with the MMU off. Returns 1 when paging is on (Sv48 if the hart has it, else
// Sv39), 0 when neither mode can be used.
extern "C" keel::u64 keel_riscv_enable_paging(keel::u64 load_phys) {
    boot_mapping.load_phys = load_phys;
    boot_mapping.image_size = static_cast<keel::u64>(__kernel_end - __kernel_start);
    for (PagingMode mode : {PagingMode::Sv48, PagingMode::Sv39}) {
        boot_mapping.mode = mode;
        if (try_enable(mode)) {
            return 1;
        }
    }
    return 0;
}

// Called by entry.S once it runs at the link address: the identity map has done its job.
extern "C" void keel_riscv_drop_identity_map() {
    const BootMapping& m = boot_mapping;
    if (m.mode == PagingMode::Sv48) {
        tables.root[m.load_phys >> 39] = 0;
    } else {
        for (keel::u64 g = m.identity_first; g <= m.identity_last; ++g) {
            tables.top_512g[g] = 0;
        }
    }
    // SAFETY: nothing runs from or points into the identity range any more.
    asm volatile("sfence.vma zero, zero" ::: "memory");
}
