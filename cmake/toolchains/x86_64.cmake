# x86-64 kernel: higher-half at -2 GiB (kernel code model), no SSE/red zone in the kernel.
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(KEEL_ARCH x86_64)
set(KEEL_TARGET_TRIPLE x86_64-unknown-none-elf)
set(KEEL_ARCH_FLAGS "-mcmodel=kernel -mno-red-zone -mno-sse -mno-mmx -mno-80387 -mgeneral-regs-only")
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
