// The safe subset's poison list: force-included last (after prelude.h) in every services and
// drivers file. Any later use of these words is a compile error. clang-tidy
// (scripts/safe-subset.clang-tidy) and -Werror=unsafe-buffer-usage check what words cannot.
#pragma once

// Architecture conditionals: services and drivers build unchanged for every architecture.
#undef __x86_64__
#undef __x86_64
#undef __amd64__
#undef __amd64
#undef __riscv
#undef __riscv_xlen
#undef __aarch64__
#undef __arm__
#undef __i386__
#pragma GCC poison __x86_64__ __x86_64 __amd64__ __amd64 __riscv __riscv_xlen __aarch64__
#pragma GCC poison __arm__ __i386__

// Inline assembly and device access: only the framework touches hardware.
#pragma GCC poison asm __asm __asm__ volatile

// Reinterpreting or un-consting memory; raw spans over arbitrary memory.
#pragma GCC poison reinterpret_cast const_cast from_raw from_c_string

// C allocation and C varargs.
#pragma GCC poison malloc calloc realloc free alloca __builtin_alloca
#pragma GCC poison va_start va_arg va_end va_copy __builtin_va_start __builtin_va_arg
