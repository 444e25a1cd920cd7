# QEMU virt (aarch64) with its virtio devices on PCI: the qemu-virt-aarch64 board (GICv2 with
# its v2m MSI frame), the disk on virtio-pci behind a PCIe root port of the gpex host bridge,
# the rest on its root bus. Chosen with `--board qemu-virt-aarch64-pci`.
# shellcheck shell=bash disable=SC2034  # the BOARD_* variables are read by ./keel
# shellcheck source=../qemu-virt-aarch64/board.sh
source "$KEEL_ROOT/boards/qemu-virt-aarch64/board.sh"
BOARD_VIRTIO=pci-bridged
BOARD_TESTS=devices # the base board runs everything else
