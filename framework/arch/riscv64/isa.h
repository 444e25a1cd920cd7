// riscv64: the ISA extensions of the boot hart, as its device-tree node lists them.
#pragma once

#include <keel/ktl/string_view.h>

namespace keel::arch::riscv {

// Whether the boot hart's /cpus node names the multi-letter extension `name` (lower case, e.g.
// "svpbmt") in riscv,isa-extensions or, for older trees, in its riscv,isa string. False when
// there is no device tree or no such node.
bool boot_hart_has_extension(StringView name);

// The single-letter extensions of the boot hart's riscv,isa string among "imafdcv", one bit
// per letter (bit 0 = 'a'), as Linux's AT_HWCAP; 0 without a device tree.
u64 boot_hart_letter_bits();

// Whether the riscv,isa string `isa` ("rv64imafdc_zicsr_svpbmt") lists the multi-letter
// extension `name`: extensions after the single letters are separated by underscores.
bool isa_string_has(StringView isa, StringView name);

} // namespace keel::arch::riscv
