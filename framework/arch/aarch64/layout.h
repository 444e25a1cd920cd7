// aarch64 kernel virtual address layout (48-bit VA, 4 KiB granule, T1SZ = 16), shared by the
// boot assembly and the C++ side. The linker script repeats kernel_base; boot.S checks it.
//
//   0xffff000000000000  linear map of physical 0 .. 512 GiB (TTBR1 L0[0]; boot.S: 1 GiB blocks)
//   0xffffff0000000000  dynamic area, 512 GiB: kernel stacks, IoMem (L0[510]; mm/kernel_vm.cc)
//   0xffffffff80000000  kernel image (TTBR1 L0[511] -> L1[510]; boot.S: 2 MiB blocks)
//   0xffffffffc0000000  early device window, 2 MiB of 4 KiB Device-nGnRE pages (L1[511])
//
// boot.S maps the image and the linear map coarsely; mm/kernel_space.cc then builds the real
// kernel half (4 KiB pages where permissions differ) and paging.cc installs it in TTBR1.
#pragma once

#define KEEL_LINEAR_BASE 0xffff000000000000
#define KEEL_LINEAR_SIZE 0x0000008000000000 /* 512 GiB: one L0 entry of 1 GiB blocks */
#define KEEL_KERNEL_BASE 0xffffffff80000000
#define KEEL_DEVICE_WINDOW 0xffffffffc0000000
#define KEEL_DEVICE_WINDOW_SIZE 0x200000 /* one L3 table */
#define KEEL_DYNAMIC_BASE 0xffffff0000000000
#define KEEL_DYNAMIC_SIZE 0x0000008000000000 /* one L0 entry: a single L1 table to pre-create */

/* Descriptor bits (ARM ARM D8.3); plain literals so C++ and assembly read them alike. */
#define PTE_VALID 0x1
#define PTE_TABLE 0x3 /* table descriptor at L0-L2, page descriptor at L3 */
#define PTE_BLOCK 0x1
#define PTE_ATTR_NORMAL (0 << 2) /* MAIR index 0 */
#define PTE_ATTR_DEVICE (1 << 2) /* MAIR index 1 */
#define PTE_INNER_SHAREABLE (3 << 8)
#define PTE_AF (1 << 10)
#define PTE_PXN 0x0020000000000000
#define PTE_UXN 0x0040000000000000

/* MAIR: index 0 Normal write-back read/write-allocate, index 1 Device-nGnRE. */
#define KEEL_MAIR 0x04ff
