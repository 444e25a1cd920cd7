# aarch64: linker script and the boot image. U-Boot's booti (and QEMU's -kernel) take a Linux
# arm64 Image: the raw bytes of the loaded sections, starting with the 64-byte Image header.
set(KEEL_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/kernel.ld)

function(keel_arch_images target)
    add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/Image
        COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${target}> ${CMAKE_BINARY_DIR}/Image
        DEPENDS ${target}
        COMMENT "Writing the arm64 Image")
    add_custom_target(keel_image ALL DEPENDS ${CMAKE_BINARY_DIR}/Image)
endfunction()

# Frame records in leaf functions too. Clang keeps them only in non-leaf functions on AArch64,
# so a fault or panic in a leaf function would leave its caller only in x30, and the backtrace
# (which walks frame records) would skip that caller.
foreach(target keel_framework keel_services keel_drivers)
    if(TARGET ${target})
        target_compile_options(${target} PRIVATE -mno-omit-leaf-frame-pointer)
    endif()
endforeach()
