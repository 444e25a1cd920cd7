# QEMU virt (aarch64) with a GICv3 and its virtio devices on PCI: PCI interrupts arrive as MSI-X
# through the GICv3 ITS, as LPIs (the -pci board has MSI-X through GICv2m); its devices stage
# runs again with pci=nomsi, for INTx through interrupt-map to GIC SPIs. Chosen with
# `--board qemu-virt-aarch64-gicv3-pci`.
# shellcheck shell=bash disable=SC2034  # the BOARD_* variables are read by ./keel
# shellcheck source=../qemu-virt-aarch64-gicv3/board.sh
source "$KEEL_ROOT/boards/qemu-virt-aarch64-gicv3/board.sh"
BOARD_VIRTIO=pci-bridged
BOARD_TESTS="devices devices-intx" # the base boards run everything else
