# x86_64: the ELF itself is the bootable image (QEMU -kernel through the PVH note; GRUB through
# multiboot2). The GRUB ISO depends on the command line, so boards/qemu-q35-x86_64/board.sh
# builds it per run in $KEEL_WORK.
set(KEEL_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/kernel.ld)

find_program(KEEL_GRUB_FILE grub-file)

function(keel_arch_images target)
    if(KEEL_GRUB_FILE)
        # GRUB only finds a multiboot2 header that is 8-aligned in the file's first 32 KiB.
        add_custom_command(TARGET ${target} POST_BUILD
            COMMAND ${KEEL_GRUB_FILE} --is-x86-multiboot2 $<TARGET_FILE:${target}>
            COMMENT "Checking the multiboot2 header of $<TARGET_FILE_NAME:${target}>")
    endif()
endfunction()
