# Source lists and flags shared by the kernel and host builds.

# The dangling-view warnings are named although -Werror already covers them: they are the
# compile-time half of the lifetime rules ([[clang::lifetimebound]] in the ktl headers) and must
# stay errors if the general -Werror is ever relaxed.
set(KEEL_LIFETIME_FLAGS -Werror=dangling -Werror=dangling-gsl -Werror=dangling-field
    -Werror=return-stack-address -Werror=dangling-initializer-list)

# Generic framework code that also builds on the host (KEEL_HOST) and is tested there.
set(KEEL_FRAMEWORK_PORTABLE_SOURCES
    framework/boot/memory_map.cc
    framework/boot/multiboot2.cc
    framework/boot/pvh.cc
    framework/boot/devicetree.cc
    framework/boot/device_tree_lookup.cc
    framework/bus/pci/discover_dt.cc
    framework/boot/device_tree_boot.cc
    framework/boot/phys_reader.cc
    framework/boot/boot_info.cc
    lib/text/format.cc
    lib/text/errno_name.cc
    framework/mm/buddy.cc
    framework/mm/page.cc
    framework/dma.cc
    framework/log/log_ring.cc
    framework/bus/pci/enumerate.cc
    framework/arch/x86_64/madt.cc
    framework/arch/x86_64/mcfg.cc
)

# Services code that parses untrusted input and needs no kernel: also built for host tests.
set(KEEL_SERVICES_PORTABLE_SOURCES
    services/initramfs/cpio.cc
    services/initramfs/unpack.cc
    services/fs/ramfs.cc
    services/exec/elf.cc
)

# Drivers code that needs no registers or interrupts (virtqueues, the transports' common
# sequence): host-tested against fake devices.
set(KEEL_DRIVERS_PORTABLE_SOURCES
    drivers/virtio/transport.cc
    drivers/virtio/virtqueue.cc
)

set(KEEL_LIBFDT_SOURCES
    ${KEEL_LIBFDT_DIR}/fdt.c
    ${KEEL_LIBFDT_DIR}/fdt_ro.c
    ${KEEL_LIBFDT_DIR}/fdt_addresses.c
    ${KEEL_LIBFDT_DIR}/fdt_strerror.c
    ${KEEL_LIBFDT_DIR}/fdt_rw.c
    ${KEEL_LIBFDT_DIR}/fdt_wip.c
)
