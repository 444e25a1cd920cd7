# AArch64 kernel: EL1, no FP/SIMD in the kernel (user state is saved lazily by the framework).
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(KEEL_ARCH aarch64)
set(KEEL_TARGET_TRIPLE aarch64-unknown-none-elf)
set(KEEL_ARCH_FLAGS "-mgeneral-regs-only -mstrict-align")
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
