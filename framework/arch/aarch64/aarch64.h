// Private to framework/arch/aarch64: what its files tell each other.
#pragma once

#include <keel/ktl/string_view.h>

extern "C" {
// boot.S -> entry.cc: the first C++ code, on the boot stack in the higher half.
[[noreturn]] void keel_arch_start(keel::u64 dtb_phys, keel::u64 load_base);
// vectors.S -> entry.cc: any exception before real trap handling exists.
[[noreturn]] void keel_arch_early_trap(keel::u64 vector, keel::u64 esr, keel::u64 elr,
                                       keel::u64 far, keel::u64 lr);
// vectors.S: semihosting SYS_EXIT; returns only if the host ignored it.
void keel_semihosting_exit(keel::u64 status);
extern const char keel_semihosting_hlt[];
}

namespace keel::arch {

// Where boot.S found the image in physical memory.
void set_kernel_load_base(u64 phys);

// The PSCI conduit the device tree names in /psci "method" ("hvc" or "smc").
void set_psci_method(StringView method);

// power_off's semihosting call trapped: there is no semihosting host.
[[noreturn]] void semihosting_unavailable();

} // namespace keel::arch
