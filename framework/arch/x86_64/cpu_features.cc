// The CPU features Keel's paging relies on or uses when present, probed with CPUID at boot (QEMU's
// default CPU, qemu64, has NX and PAT but no 1 GiB pages, PCID, SMEP or SMAP; `-cpu max` has
// them all), and the control bits that make the page protections bite.
#include "x86.h"

namespace keel::x86 {

namespace {
constinit Features probed{};

bool bit(u32 value, u32 n) { return ((value >> n) & 1) != 0; }
} // namespace

const Features& features() { return probed; }

void init_cpu_features() {
    CpuidResult leaf1 = cpuid(1);
    probed.pge = bit(leaf1.edx, 13);
    probed.pat = bit(leaf1.edx, 16);
    probed.pcid = bit(leaf1.ecx, 17);
    probed.xsave = bit(leaf1.ecx, 26);
    if (cpuid(0).eax >= 7) {
        CpuidResult leaf7 = cpuid(7, 0);
        probed.smep = bit(leaf7.ebx, 7);
        probed.smap = bit(leaf7.ebx, 20);
        probed.fsgsbase = bit(leaf7.ebx, 0);
    }
    u32 max_extended = cpuid(0x80000000).eax;
    CpuidResult ext1 = cpuid(0x80000001);
    probed.nx = bit(ext1.edx, 20);
    probed.gigapages = bit(ext1.edx, 26);
    if (max_extended >= 0x80000008) {
        probed.phys_bits = cpuid(0x80000008).eax & 0xff;
    }
    enable_cpu_features();
}

void enable_cpu_features() {
    // The PAT: keep the reset value, whose entry 3 (PCD|PWT) is UC for device registers and
    // entry 0 WB for RAM. Firmware may have changed it; nothing mapped yet uses PCD or PWT (the
    // early device window is still empty), so putting it back needs no cache or TLB dance. On a
    // secondary CPU (smp.cc) nothing has touched device memory yet either, and the kernel root
    // is loaded with a full TLB flush right after.
    if (probed.pat && rdmsr(msr_pat) != pat_power_on) {
        wrmsr(msr_pat, pat_power_on);
    }

    // CR0.WP (kernel writes honour read-only pages) and EFER.NXE were set by entry.S before
    // paging came on. Global pages keep kernel translations across CR3 loads; SMEP stops the
    // kernel from running user pages, SMAP from touching them outside user_access_begin/end.
    // PCIDs tag TLB entries per address space; CR3 holds PCID 0 (low bits clear) here, which
    // CR4.PCIDE requires when it is set.
    u64 cr4 = read_cr4();
    cr4 |= probed.pge ? cr4_pge : 0;
    cr4 |= probed.smep ? cr4_smep : 0;
    cr4 |= probed.smap ? cr4_smap : 0;
    cr4 |= probed.pcid && (read_cr3() & 0xfff) == 0 ? cr4_pcide : 0;
    write_cr4(cr4);
    enable_user_mode_cpu();
}

} // namespace keel::x86
