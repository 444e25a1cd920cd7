# QEMU virt (riscv64) with its virtio devices on PCI: the qemu-virt-riscv64 board, the disk on
# virtio-pci behind a PCIe root port of the gpex host bridge, the rest on its root bus, so the
# kernel's PCI enumeration, bridge set-up and INTx routing are exercised. Chosen with
# `--board qemu-virt-riscv64-pci`.
# shellcheck shell=bash disable=SC2034  # the BOARD_* variables are read by ./keel
# shellcheck source=../qemu-virt-riscv64/board.sh
source "$KEEL_ROOT/boards/qemu-virt-riscv64/board.sh"
BOARD_VIRTIO=pci-bridged
BOARD_TESTS=devices # the base board runs everything else
