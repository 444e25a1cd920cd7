// The link check's own test (tests/gate/link-check-rejects.sh): an object that references a
// framework-internal function through its own declaration. The AST gate rejects this file
// (no-foreign-namespace, bad_redeclare_arch_function.cc); it is compiled here with the gate's
// checks off, to show that the link check alone would still stop it.
#include <keel/ktl/types.h>

namespace keel::arch {
uptr phys_to_virt(u64 phys);
} // namespace keel::arch

namespace keel::gate {

uptr forged_linear_map_address() { return keel::arch::phys_to_virt(0x1000); }

} // namespace keel::gate
