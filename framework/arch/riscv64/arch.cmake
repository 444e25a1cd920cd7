# riscv64: the kernel's link layout and the Linux-style `Image` every RISC-V bootloader accepts
# (OpenSBI -kernel, U-Boot booti). Included by cmake/Kernel.cmake.
set(KEEL_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/kernel.ld)

# The code that runs before the MMU is on executes at the physical load address, not at its link
# address: a jump table would hold link addresses, so that file must not have any.
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/early_paging.cc APPEND PROPERTY COMPILE_OPTIONS
    -fno-jump-tables)

function(keel_arch_images target)
    set(image ${CMAKE_BINARY_DIR}/Image)
    add_custom_command(OUTPUT ${image}
        COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${target}> ${image}
        DEPENDS ${target}
        COMMENT "Making the riscv64 Image")
    add_custom_target(keel_image ALL DEPENDS ${image})
endfunction()

# RISC-V objects keep the assembler's .L labels (each auipc's %pcrel_lo names one); left in the
# symbol table they would be taken for functions by scripts/gen-ksyms.sh and the backtraces.
add_link_options(-Wl,--discard-locals)

# The user FP state and the user probes need the D extension's instructions; the rest of the
# kernel stays rv64imac (no FP), with the same soft-float ABI.
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/user_fp.S APPEND PROPERTY COMPILE_OPTIONS
    -march=rv64imafdc)
