# The kernel image for ${KEEL_ARCH}: framework (privileged, may be unsafe) + services and drivers
# (the checked safe subset), linked twice so that the final image embeds its own symbol table.

set(KEEL_ARCH_DIR ${CMAKE_SOURCE_DIR}/framework/arch/${KEEL_ARCH})
set(KEEL_COMMON_FLAGS -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter ${KEEL_LIFETIME_FLAGS})

# --- libfdt: third-party C, compiled freestanding against small libc shims ---------------------
add_library(keel_libfdt OBJECT ${KEEL_LIBFDT_SOURCES})
target_include_directories(keel_libfdt SYSTEM PRIVATE
    ${CMAKE_SOURCE_DIR}/framework/lib/libc_shim ${KEEL_LIBFDT_DIR})
target_compile_options(keel_libfdt PRIVATE -O2 -g -nostdlibinc -w)

# --- framework ---------------------------------------------------------------------------------
file(GLOB KEEL_FRAMEWORK_KERNEL_SOURCES CONFIGURE_DEPENDS
    ${CMAKE_SOURCE_DIR}/framework/*.cc
    ${CMAKE_SOURCE_DIR}/framework/console/*.cc
    ${CMAKE_SOURCE_DIR}/framework/ktest/*.cc
    ${CMAKE_SOURCE_DIR}/framework/log/*.cc
    ${CMAKE_SOURCE_DIR}/framework/boot/*.cc
    ${CMAKE_SOURCE_DIR}/framework/mm/*.cc
    ${CMAKE_SOURCE_DIR}/framework/irq/*.cc
    ${CMAKE_SOURCE_DIR}/framework/bus/*.cc
    ${CMAKE_SOURCE_DIR}/framework/bus/pci/*.cc
    ${CMAKE_SOURCE_DIR}/framework/sched/*.cc
    ${CMAKE_SOURCE_DIR}/framework/sync/*.cc
    ${CMAKE_SOURCE_DIR}/framework/user/*.cc
    ${CMAKE_SOURCE_DIR}/framework/lib/*.cc)
file(GLOB_RECURSE KEEL_ARCH_SOURCES CONFIGURE_DEPENDS
    ${KEEL_ARCH_DIR}/*.cc ${KEEL_ARCH_DIR}/*.S)
add_library(keel_framework OBJECT ${KEEL_FRAMEWORK_KERNEL_SOURCES} ${KEEL_ARCH_SOURCES})
target_include_directories(keel_framework PRIVATE
    ${CMAKE_SOURCE_DIR}/framework/include
    ${CMAKE_SOURCE_DIR}/framework
    ${KEEL_ARCH_DIR}/include                     # arch/cpu.h: the arch's own constants
    ${CMAKE_SOURCE_DIR}/framework/arch/include   # the rest of the contract, declared once
    ${CMAKE_SOURCE_DIR}/framework/lib/libc_shim)
target_include_directories(keel_framework SYSTEM PRIVATE ${KEEL_LIBFDT_DIR})
target_compile_options(keel_framework PRIVATE ${KEEL_COMMON_FLAGS} -nostdlibinc
    $<$<COMPILE_LANGUAGE:CXX>:-Wunsafe-buffer-usage -Wno-error=unsafe-buffer-usage>)
option(KEEL_DEBUG_CHECKS "Heap poisoning, use-after-free and double-free checks" ON)
target_compile_definitions(keel_framework PRIVATE KEEL_ARCH_${KEEL_ARCH}=1
    KEEL_ARCH_NAME="${KEEL_ARCH}" KEEL_DEBUG_CHECKS=$<BOOL:${KEEL_DEBUG_CHECKS}>)
# The framework may be unsafe, but it should say where: the warning stays on (not an error) so
# an unmarked raw access is visible in the build log.
set_source_files_properties(${KEEL_ARCH_SOURCES} PROPERTIES COMPILE_OPTIONS
    "-Wno-unsafe-buffer-usage")

# --- services and drivers: the safe subset -----------------------------------------------------
include(${CMAKE_SOURCE_DIR}/cmake/SafeSubset.cmake)
file(GLOB_RECURSE KEEL_SERVICES_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/services/*.cc)
file(GLOB_RECURSE KEEL_DRIVERS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/drivers/*.cc)
keel_safe_library(keel_services ${KEEL_SERVICES_SOURCES})
# lib/: code the framework itself uses (the log's formatting...) that needs no privilege, so it
# is checked like services and is not part of the trusted computing base.
file(GLOB_RECURSE KEEL_LIB_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/lib/*.cc)
keel_safe_library(keel_lib ${KEEL_LIB_SOURCES})
# The Linux ABI tables of the target arch (services/abi/<arch>/linux_abi.h): the only per-arch
# part of services, chosen here and nowhere else.
target_include_directories(keel_services PRIVATE ${CMAKE_SOURCE_DIR}/services/abi/${KEEL_ARCH})
if(KEEL_DRIVERS_SOURCES)
    keel_safe_library(keel_drivers ${KEEL_DRIVERS_SOURCES})
    set(KEEL_DRIVERS_OBJECTS $<TARGET_OBJECTS:keel_drivers>)
endif()
# Every header checked on its own (the objects are not linked).
file(GLOB_RECURSE KEEL_SAFE_HEADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/services/*.h
    ${CMAKE_SOURCE_DIR}/drivers/*.h)
list(FILTER KEEL_SAFE_HEADERS EXCLUDE REGEX "/services/abi/[a-z0-9_]+/")
list(APPEND KEEL_SAFE_HEADERS ${CMAKE_SOURCE_DIR}/services/abi/${KEEL_ARCH}/linux_abi.h)
keel_safe_headers(keel_safe_headers ${KEEL_SAFE_HEADERS})
target_include_directories(keel_safe_headers PRIVATE ${CMAKE_SOURCE_DIR}/services/abi/${KEEL_ARCH})

# --- link: pass 1 without symbols, pass 2 with the symbol table of pass 1 ----------------------
include(${KEEL_ARCH_DIR}/arch.cmake) # sets KEEL_LINKER_SCRIPT, defines keel_arch_images()

set(KEEL_LINK_FLAGS -nostdlib -static -fuse-ld=lld -Wl,--gc-sections -Wl,-z,max-page-size=4096
    -Wl,--no-dynamic-linker -Wl,-z,norelro -Wl,--build-id=none -T ${KEEL_LINKER_SCRIPT})
set(KEEL_ALL_OBJECTS $<TARGET_OBJECTS:keel_framework> $<TARGET_OBJECTS:keel_lib>
    $<TARGET_OBJECTS:keel_services>
    ${KEEL_DRIVERS_OBJECTS} $<TARGET_OBJECTS:keel_libfdt>)

add_executable(keel_pass1 ${CMAKE_SOURCE_DIR}/framework/ksyms/empty.S ${KEEL_ALL_OBJECTS})
set_target_properties(keel_pass1 PROPERTIES OUTPUT_NAME keel.pass1.elf LINK_DEPENDS
    ${KEEL_LINKER_SCRIPT})
target_link_options(keel_pass1 PRIVATE ${KEEL_LINK_FLAGS})
# The gate's link-time half: services and drivers reference only the public framework API.
add_custom_command(TARGET keel_pass1 PRE_LINK
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/link-check.sh ${CMAKE_NM} $<TARGET_OBJECTS:keel_lib>
            $<TARGET_OBJECTS:keel_services> ${KEEL_DRIVERS_OBJECTS}
    COMMAND_EXPAND_LISTS VERBATIM)
add_dependencies(keel_pass1 keel_safe_headers)

add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ksyms.S
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/gen-ksyms.sh ${CMAKE_NM} $<TARGET_FILE:keel_pass1>
            ${CMAKE_BINARY_DIR}/ksyms.S
    DEPENDS keel_pass1 ${CMAKE_SOURCE_DIR}/scripts/gen-ksyms.sh
    COMMENT "Embedding the kernel symbol table")
add_executable(keel_kernel ${CMAKE_BINARY_DIR}/ksyms.S ${KEEL_ALL_OBJECTS})
set_target_properties(keel_kernel PROPERTIES OUTPUT_NAME keel.elf LINK_DEPENDS
    ${KEEL_LINKER_SCRIPT})
target_link_options(keel_kernel PRIVATE ${KEEL_LINK_FLAGS})
# The symbol table sits after all code, so pass 2 must place every function where pass 1 did.
add_custom_command(TARGET keel_kernel POST_BUILD
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/check-ksyms.sh ${CMAKE_NM} $<TARGET_FILE:keel_pass1>
            $<TARGET_FILE:keel_kernel>)

keel_arch_images(keel_kernel)

# --- the safe-subset gate's own test: each bad file must be rejected, naming its rule ------------
enable_testing()
file(GLOB KEEL_GATE_CASES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/gate/bad_*.cc)
foreach(case ${KEEL_GATE_CASES})
    get_filename_component(name ${case} NAME_WE)
    add_test(NAME gate.${name}
        COMMAND ${CMAKE_SOURCE_DIR}/tests/gate/expect-rejected.sh ${CMAKE_BINARY_DIR} ${case})
endforeach()
add_test(NAME gate.link_check_rejects_internal_symbol
    COMMAND ${CMAKE_SOURCE_DIR}/tests/gate/link-check-rejects.sh ${CMAKE_BINARY_DIR} ${CMAKE_NM})
add_test(NAME gate.good_file_accepted
    COMMAND ${CMAKE_SOURCE_DIR}/tests/gate/expect-rejected.sh --accept ${CMAKE_BINARY_DIR}
            ${CMAKE_SOURCE_DIR}/tests/gate/good.cc)
