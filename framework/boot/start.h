// The generic half of booting. The arch's entry code (framework/arch/<arch>/) sets up a stack
// and the boot page tables, then hands over what the boot protocol gave it.
#pragma once

#include <keel/boot_info.h>

namespace keel::boot {

struct Handoff {
    BootProtocol protocol;
    u64 info_phys;   // PVH start info, multiboot2 info or the DTB, by physical address
    u64 boot_cpu_id; // x86 APIC id, riscv hart id, aarch64 MPIDR affinity
};

// Parses the handoff into BootInfo, brings up clock and console, logs the boot, and calls
// keel_main(). A handoff that cannot be parsed powers off with status 2.
[[noreturn]] void start(const Handoff& handoff);

} // namespace keel::boot
