# QEMU virt (aarch64) with a GICv3 interrupt controller: the qemu-virt-aarch64 board with
# `-M virt,gic-version=3`, everything else the same. Chosen with `--board qemu-virt-aarch64-gicv3`.
# shellcheck shell=bash disable=SC2034  # the BOARD_* variables are read by ./keel
# shellcheck source=../qemu-virt-aarch64/board.sh
source "$KEEL_ROOT/boards/qemu-virt-aarch64/board.sh"
BOARD_VIRT_OPTS=",gic-version=3${BOARD_VIRT_OPTS:-}"
