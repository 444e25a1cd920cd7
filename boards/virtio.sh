# The virtio devices every board attaches, on the transport natural for it. Sourced by the
# board files; appends to QEMU_CMD.
#   board_virtio_devices mmio          virtio-mmio (the virt machines' default)
#   board_virtio_devices pci           virtio-pci on the root bus
#   board_virtio_devices pci-bridged   virtio-pci, the disk behind a PCIe root port and the
#                                      console in slot 5, whose INTx line is the root port's
#                                      slot's: the disk and console share an interrupt line
# Devices: the --disk image as virtio-blk (KEEL_DISK), a virtio-rng, and a virtio console
# whose output goes to the file KEEL_VIRTIO_CONSOLE names (none when it is empty).
# shellcheck shell=bash
board_virtio_devices() {
  local kind=-device bus= console_slot=
  case $1 in
    mmio) kind=-device ;;
    pci) kind=-pci ;;
    pci-bridged)
      kind=-pci
      QEMU_CMD+=(-device pcie-root-port,id=keel_rp0,chassis=1,slot=1)
      bus=,bus=keel_rp0
      console_slot=,addr=5
      ;;
    *) echo "board: unknown virtio transport $1" >&2; return 1 ;;
  esac
  if [ -n "${KEEL_DISK:-}" ]; then
    QEMU_CMD+=(-drive "if=none,file=$KEEL_DISK,format=raw,id=disk0"
      -device "virtio-blk$kind,drive=disk0$bus")
  fi
  QEMU_CMD+=(-device "virtio-rng$kind")
  if [ -n "${KEEL_VIRTIO_CONSOLE:-}" ]; then
    QEMU_CMD+=(-chardev "file,id=keel_vc0,path=$KEEL_VIRTIO_CONSOLE"
      -device "virtio-serial$kind$console_slot" -device virtconsole,chardev=keel_vc0)
  fi
}
