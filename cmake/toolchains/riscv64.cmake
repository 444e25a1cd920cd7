# RISC-V 64 kernel: S-mode, integer-only in the kernel, PC-relative code (medany), and no linker
# relaxation so the two-pass symbol-table link keeps every function address.
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(KEEL_ARCH riscv64)
set(KEEL_TARGET_TRIPLE riscv64-unknown-none-elf)
set(KEEL_ARCH_FLAGS "-march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax")
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
