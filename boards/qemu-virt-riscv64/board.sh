# QEMU virt (riscv64): Debian's OpenSBI (fw_dynamic) starts the kernel's RISC-V Image in S-mode,
# directly or through Debian's S-mode U-Boot, which boots it from a virtio disk with extlinux.
# a0 = hart id, a1 = the device tree. See boards/README.md.
# shellcheck shell=bash disable=SC2034 # BOARD_* are read by ./keel

BOARD_ARCH=riscv64
# shellcheck source=../virtio.sh
source "$KEEL_ROOT/boards/virtio.sh"
BOARD_CHAINS="opensbi uboot"

BOARD_OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
BOARD_UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin

board_describe_chain() {
  case $1 in
    opensbi) echo "OpenSBI fw_dynamic -> the RISC-V Image in S-mode at 0x80200000" ;;
    uboot) echo "OpenSBI fw_dynamic -> U-Boot (S-mode) -> extlinux on a virtio disk -> booti" ;;
    *) return 1 ;;
  esac
}

# The U-Boot chain's boot disk: an MBR with one FAT partition (from 1 MiB) holding the Image,
# the initrd if any and extlinux/extlinux.conf, built without root by mtools. extlinux.conf has
# no fdt line: U-Boot then passes on the tree it got from OpenSBI (QEMU's), after writing the
# `append` text into /chosen/bootargs.
board_uboot_disk() {
  local disk=$KEEL_WORK/uboot-disk.img fat=$KEEL_WORK/uboot-fat.img conf=$KEEL_WORK/extlinux.conf
  local bytes mib
  bytes=$(stat -c %s "$KEEL_KERNEL_IMAGE") || return 1
  if [ -n "${KEEL_INITRD:-}" ]; then
    bytes=$((bytes + $(stat -c %s "$KEEL_INITRD"))) || return 1
  fi
  mib=$((bytes / 1048576 + 8)) # FAT and directory overhead
  [ $mib -ge 16 ] || mib=16

  {
    echo "default keel"
    echo "label keel"
    echo "  kernel /Image"
    echo "  append $KEEL_CMDLINE"
    [ -z "${KEEL_INITRD:-}" ] || echo "  initrd /initrd"
  } >"$conf"

  rm -f "$fat" "$disk.tmp"
  mformat -i "$fat" -C -T $((mib * 2048)) -H 2048 -v KEEL :: &&
    mmd -i "$fat" ::extlinux &&
    mcopy -i "$fat" "$conf" ::extlinux/extlinux.conf &&
    mcopy -i "$fat" "$KEEL_KERNEL_IMAGE" ::Image || return 1
  if [ -n "${KEEL_INITRD:-}" ]; then
    mcopy -i "$fat" "$KEEL_INITRD" ::initrd || return 1
  fi
  truncate -s $((mib + 1))M "$disk.tmp" &&
    echo 'start=2048, type=c, bootable' | sfdisk -q "$disk.tmp" >/dev/null &&
    dd if="$fat" of="$disk.tmp" bs=1M seek=1 conv=notrunc status=none &&
    mv "$disk.tmp" "$disk" && rm -f "$fat"
}

# KEEL_MEM in MiB when it is a plain QEMU size (512, 512M, 4G); empty otherwise.
board_mem_mib() {
  local m=${KEEL_MEM^^}
  m=${m%B}
  case $m in
    *[!0-9KMGT]* | '') ;;
    *K) echo $((${m%K} / 1024)) ;;
    *M) echo "${m%M}" ;;
    *G) echo $((${m%G} * 1024)) ;;
    *T) echo $((${m%T} * 1024 * 1024)) ;;
    *[0-9]) echo "$m" ;;
  esac
}

board_qemu_command() {
  [ -f "$BOARD_OPENSBI" ] || { echo "board: $BOARD_OPENSBI missing (package opensbi)" >&2; return 1; }
  QEMU_CMD=(qemu-system-riscv64 -M virt -m "$KEEL_MEM" -smp "$KEEL_SMP" -nic none
    -global virtio-mmio.force-legacy=false # virtio-mmio version 2 (virtio 1.0+), not legacy
    -bios "$BOARD_OPENSBI")
  case $1 in
    opensbi)
      QEMU_CMD+=(-kernel "$KEEL_KERNEL_IMAGE" -append "$KEEL_CMDLINE")
      if [ -n "${KEEL_INITRD:-}" ]; then
        QEMU_CMD+=(-initrd "$KEEL_INITRD")
      fi
      ;;
    uboot)
      [ -f "$BOARD_UBOOT" ] || { echo "board: $BOARD_UBOOT missing (package u-boot-qemu)" >&2; return 1; }
      # U-Boot's built-in environment (it has no other) loads the initrd at 0x8c300000 and
      # crashes, then resets forever, when RAM ends below that.
      local mib
      mib=$(board_mem_mib)
      if [ -n "$mib" ] && [ "$mib" -lt 256 ]; then
        echo "board: the uboot chain needs -m 256M or more (U-Boot's fixed load addresses)" >&2
        return 1
      fi
      board_uboot_disk || { echo "board: cannot make the U-Boot boot disk (mtools, fdisk)" >&2; return 1; }
      # No -append: the command line must come through extlinux.conf and U-Boot.
      # shellcheck disable=SC2054 # "virtio-blk-device,drive=hd0" is one argument
      QEMU_CMD+=(-kernel "$BOARD_UBOOT"
        -drive "if=none,file=$KEEL_WORK/uboot-disk.img,format=raw,id=hd0"
        -device virtio-blk-device,drive=hd0)
      ;;
    *) return 1 ;;
  esac
  # --disk and the other virtio devices: virtio-mmio, the transport natural for virt (the -pci
  # board variant: virtio-pci behind the gpex host bridge).
  board_virtio_devices "${BOARD_VIRTIO:-mmio}"
}

# The kernel exits through QEMU's test finisher with its own status when it fails, and through
# SBI shutdown (QEMU exit 0) when it succeeds. A failure before the kernel found the finisher
# (an early trap) can only reach SBI, which OpenSBI 1.1 reports as exit 0: the boot log says so.
board_kernel_status() {
  echo "$1"
}
