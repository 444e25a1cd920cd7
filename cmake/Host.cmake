# Host build: the portable framework code, libfdt and GoogleTest, with ASan and UBSan.
find_package(GTest REQUIRED)
enable_testing()

set(KEEL_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all)

add_library(keel_host_libfdt STATIC ${KEEL_LIBFDT_SOURCES})
target_include_directories(keel_host_libfdt SYSTEM PUBLIC ${KEEL_LIBFDT_DIR})
target_compile_options(keel_host_libfdt PRIVATE -w ${KEEL_SANITIZERS})

list(TRANSFORM KEEL_FRAMEWORK_PORTABLE_SOURCES PREPEND ${CMAKE_SOURCE_DIR}/)
list(TRANSFORM KEEL_SERVICES_PORTABLE_SOURCES PREPEND ${CMAKE_SOURCE_DIR}/)
list(TRANSFORM KEEL_DRIVERS_PORTABLE_SOURCES PREPEND ${CMAKE_SOURCE_DIR}/)
add_library(keel_host_framework STATIC ${KEEL_FRAMEWORK_PORTABLE_SOURCES}
    ${KEEL_SERVICES_PORTABLE_SOURCES} ${KEEL_DRIVERS_PORTABLE_SOURCES}
    ${CMAKE_SOURCE_DIR}/framework/host/assert.cc
    ${CMAKE_SOURCE_DIR}/framework/host/runtime.cc ${CMAKE_SOURCE_DIR}/framework/host/dma_pages.cc)
target_include_directories(keel_host_framework PUBLIC
    ${CMAKE_SOURCE_DIR}/framework/include ${CMAKE_SOURCE_DIR}/framework ${CMAKE_SOURCE_DIR}
    ${CMAKE_SOURCE_DIR}/services/abi/x86_64)
target_compile_definitions(keel_host_framework PUBLIC KEEL_HOST=1)
target_compile_options(keel_host_framework PUBLIC ${KEEL_SANITIZERS} -Wall -Wextra -Werror
    -Wno-unused-parameter ${KEEL_LIFETIME_FLAGS})
target_link_options(keel_host_framework PUBLIC ${KEEL_SANITIZERS})
target_link_libraries(keel_host_framework PUBLIC keel_host_libfdt)

file(GLOB KEEL_HOST_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/host/*_test.cc)
add_executable(keel_host_tests ${KEEL_HOST_TESTS})
target_link_libraries(keel_host_tests PRIVATE keel_host_framework GTest::gtest GTest::gtest_main)
target_compile_definitions(keel_host_tests PRIVATE
    KEEL_TEST_DATA="${CMAKE_SOURCE_DIR}/tests/host/data")
include(GoogleTest)
gtest_discover_tests(keel_host_tests)
