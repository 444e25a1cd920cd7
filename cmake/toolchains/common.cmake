# Shared by the three kernel toolchain files: Debian's LLVM 16, freestanding, no libc.
# A toolchain file sets KEEL_ARCH, KEEL_TARGET_TRIPLE and KEEL_ARCH_FLAGS, then includes this.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_CROSSCOMPILING TRUE)

set(KEEL_LLVM_SUFFIX "-16" CACHE STRING "Suffix of Debian's versioned LLVM tools")
set(CMAKE_C_COMPILER clang${KEEL_LLVM_SUFFIX})
set(CMAKE_CXX_COMPILER clang++${KEEL_LLVM_SUFFIX})
set(CMAKE_ASM_COMPILER clang${KEEL_LLVM_SUFFIX})
set(CMAKE_C_COMPILER_TARGET ${KEEL_TARGET_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${KEEL_TARGET_TRIPLE})
set(CMAKE_ASM_COMPILER_TARGET ${KEEL_TARGET_TRIPLE})
set(CMAKE_AR llvm-ar${KEEL_LLVM_SUFFIX})
set(CMAKE_RANLIB llvm-ranlib${KEEL_LLVM_SUFFIX})
set(CMAKE_OBJCOPY llvm-objcopy${KEEL_LLVM_SUFFIX})
set(CMAKE_NM llvm-nm${KEEL_LLVM_SUFFIX})
set(KEEL_LLD ld.lld${KEEL_LLVM_SUFFIX})
set(KEEL_CLANG_TIDY clang-tidy${KEEL_LLVM_SUFFIX})

# There is no libc to link a test program against.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(KEEL_FREESTANDING_FLAGS
    "-ffreestanding -nostdlib -nostdinc++ -fno-exceptions -fno-rtti -fno-stack-protector \
-fno-omit-frame-pointer -fno-pic -fno-pie -fno-threadsafe-statics -fno-asynchronous-unwind-tables \
-fno-unwind-tables -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${KEEL_ARCH_FLAGS} ${KEEL_FREESTANDING_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${KEEL_ARCH_FLAGS} ${KEEL_FREESTANDING_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${KEEL_ARCH_FLAGS}")
