// The first C++ code, from boot.S.
#include "arch/aarch64/aarch64.h"
#include "boot/start.h"

namespace keel::arch {
namespace {

u64 read_mpidr() {
    u64 value = 0;
    // SAFETY: reading an identification register has no side effects.
    asm volatile("mrs %0, mpidr_el1" : "=r"(value));
    return value;
}

} // namespace
} // namespace keel::arch

extern "C" [[noreturn]] void keel_arch_start(keel::u64 dtb_phys, keel::u64 load_base) {
    using namespace keel;
    arch::set_kernel_load_base(load_base);
    // MPIDR affinity: Aff2.Aff1.Aff0 in bits 23:0, Aff3 in bits 39:32 (moved next to them).
    u64 mpidr = arch::read_mpidr();
    u64 affinity = (mpidr & 0xffffff) | (((mpidr >> 32) & 0xff) << 24);
    boot::start({BootProtocol::DeviceTree, dtb_phys, affinity});
}
