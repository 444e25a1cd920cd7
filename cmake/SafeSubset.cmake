# The safe subset (docs/ARCHITECTURE.md): services/ and drivers/ compile through
# scripts/safe-subset.sh: the compiler, which loads the gate plugin (tools/gate) to check every
# translation unit and header after preprocessing, on the AST; then clang-tidy as errors. The
# public framework API is force-included first; scripts/link-check.sh checks the objects.

# The gate plugin is a host tool: built once for the three kernels, with the host compiler.
include(ExternalProject)
set(KEEL_GATE_DIR ${CMAKE_SOURCE_DIR}/build/gate)
set(KEEL_GATE_PLUGIN ${KEEL_GATE_DIR}/keel-gate.so)
set(KEEL_GATE_CONFIG ${CMAKE_SOURCE_DIR}/tools/gate/gate.conf)
if(NOT TARGET keel_gate_plugin)
    ExternalProject_Add(keel_gate_plugin
        SOURCE_DIR ${CMAKE_SOURCE_DIR}/tools/gate
        BINARY_DIR ${KEEL_GATE_DIR}
        CMAKE_ARGS -DCMAKE_CXX_COMPILER=clang++${KEEL_LLVM_SUFFIX} -DCMAKE_BUILD_TYPE=Release
        INSTALL_COMMAND ""
        BUILD_ALWAYS ON
        BUILD_BYPRODUCTS ${KEEL_GATE_PLUGIN})
endif()
set(KEEL_GATE_FLAGS -fplugin=${KEEL_GATE_PLUGIN} -fplugin-arg-keel_gate-config=${KEEL_GATE_CONFIG}
    -fplugin-arg-keel_gate-root=${CMAKE_SOURCE_DIR})

function(keel_safe_library name)
    add_library(${name} OBJECT ${ARGN})
    target_include_directories(${name} PRIVATE
        ${CMAKE_SOURCE_DIR}/framework/include  # the public framework API, nothing else of it
        ${CMAKE_SOURCE_DIR})                   # services/... and drivers/... headers
    target_compile_options(${name} PRIVATE ${KEEL_COMMON_FLAGS} -nostdlibinc
        -Werror=unsafe-buffer-usage ${KEEL_GATE_FLAGS} -fplugin-arg-keel_gate-export-symbols
        "SHELL:-include ${CMAKE_SOURCE_DIR}/framework/include/keel/prelude.h")
    set_target_properties(${name} PROPERTIES CXX_COMPILER_LAUNCHER
        "${CMAKE_SOURCE_DIR}/scripts/safe-subset.sh;--tidy=${KEEL_CLANG_TIDY}")
    add_dependencies(${name} keel_gate_plugin)
    # A changed rule or configuration checks everything again.
    set_source_files_properties(${ARGN} PROPERTIES OBJECT_DEPENDS
        "${KEEL_GATE_PLUGIN};${KEEL_GATE_CONFIG};${CMAKE_SOURCE_DIR}/scripts/safe-subset.clang-tidy;${CMAKE_SOURCE_DIR}/scripts/safe-subset.sh")
endfunction()

# Every services/drivers header on its own, so a header no translation unit includes (yet) is
# checked too: one generated file per header that includes only it.
function(keel_safe_headers name)
    set(sources)
    foreach(header ${ARGN})
        file(RELATIVE_PATH relative ${CMAKE_SOURCE_DIR} ${header})
        string(MAKE_C_IDENTIFIER ${relative} id)
        set(source ${CMAKE_BINARY_DIR}/gate_headers/${id}.cc)
        set(content "#include \"${relative}\"\n")
        if(EXISTS ${source})
            file(READ ${source} old)
        else()
            set(old "")
        endif()
        if(NOT old STREQUAL content)
            file(WRITE ${source} ${content})
        endif()
        list(APPEND sources ${source})
    endforeach()
    keel_safe_library(${name} ${sources})
endfunction()
