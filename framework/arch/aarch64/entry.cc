// The first C++ code, from boot.S.
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/sysreg.h"
#include "boot/start.h"

extern "C" [[noreturn]] void keel_arch_start(keel::u64 dtb_phys, keel::u64 load_base) {
    using namespace keel;
    arch::set_kernel_load_base(load_base);
    boot::start({BootProtocol::DeviceTree, dtb_phys, arch::this_cpu_affinity()});
}
