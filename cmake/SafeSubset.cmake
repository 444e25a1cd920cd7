# The safe subset (../shared/ARCHITECTURE.md): services/ and drivers/ compile through
# scripts/safe-subset.sh, which applies the lexical rules, runs clang-tidy as errors and then the
# compiler with -Werror=unsafe-buffer-usage. The public framework API is force-included first
# and the poison header last, so a poisoned word anywhere in a services file is an error.

function(keel_safe_library name)
    add_library(${name} OBJECT ${ARGN})
    target_include_directories(${name} PRIVATE
        ${CMAKE_SOURCE_DIR}/framework/include  # the public framework API, nothing else of it
        ${CMAKE_SOURCE_DIR})                   # services/... and drivers/... headers
    target_compile_options(${name} PRIVATE ${KEEL_COMMON_FLAGS} -nostdlibinc
        -Werror=unsafe-buffer-usage
        "SHELL:-include ${CMAKE_SOURCE_DIR}/framework/include/keel/prelude.h"
        "SHELL:-include ${CMAKE_SOURCE_DIR}/framework/include/keel/safe_subset.h")
    set_target_properties(${name} PROPERTIES CXX_COMPILER_LAUNCHER
        "${CMAKE_SOURCE_DIR}/scripts/safe-subset.sh;--tidy=${KEEL_CLANG_TIDY}")
endfunction()
