# QEMU virt (aarch64, Cortex-A57, GICv2): Debian's U-Boot loads the kernel's arm64 Image from
# QEMU's fw_cfg and starts it with booti at EL1, x0 = the device tree. See boards/README.md.
# BOARD_VIRT_OPTS appends machine options, e.g. ",virtualization=on" (kernel entered at EL2) or
# ",gic-version=3".
# shellcheck shell=bash disable=SC2034  # the BOARD_* variables are read by ./keel

BOARD_ARCH=aarch64
# shellcheck source=../virtio.sh
source "$KEEL_ROOT/boards/virtio.sh"
BOARD_CHAINS="uboot"

BOARD_UBOOT=/usr/lib/u-boot/qemu_arm64/u-boot.bin

board_describe_chain() {
  case $1 in
    uboot) echo "U-Boot (qemu_arm64) -> qfw load -> booti of the arm64 Image at EL1" ;;
    *) return 1 ;;
  esac
}

# U-Boot reads its environment from pflash unit 1 (64 MiB; the first 256 KiB hold it). A saved
# environment replaces the built-in one, so this carries everything the qfw boot needs: the
# built-in load addresses and bootcmd_qfw's commands, with no autoboot delay and no fallback to
# USB/SCSI/network boot. Without an initrd, qfw leaves the kernel's size in ${filesize}, so the
# built-in "ramdisk_addr_r:filesize" would hand the kernel a bogus initrd: pass "-" instead.
board_uboot_env() {
  local env_text=$KEEL_WORK/uboot-env.txt flash=$KEEL_WORK/uboot-env-flash.img ramdisk=-
  if [ -n "${KEEL_INITRD:-}" ]; then
    # shellcheck disable=SC2016  # U-Boot expands these, not the shell
    ramdisk='${ramdisk_addr_r}:${filesize}'
  fi
  local bootcmd="if qfw load \${kernel_addr_r} \${ramdisk_addr_r}; then"
  bootcmd+=" booti \${kernel_addr_r} $ramdisk \${fdtcontroladdr}; fi;"
  bootcmd+=" echo keel: U-Boot could not boot the kernel"
  mkdir -p "$KEEL_WORK" || return 1
  cat >"$env_text" <<ENV
bootdelay=0
stdin=serial
stdout=serial
stderr=serial
fdt_high=0xffffffff
initrd_high=0xffffffff
kernel_addr_r=0x40400000
ramdisk_addr_r=0x44000000
bootcmd=$bootcmd
ENV
  mkenvimage -s 0x40000 -o "$flash.tmp" "$env_text" && truncate -s 64M "$flash.tmp" &&
    mv "$flash.tmp" "$flash"
}

board_qemu_command() {
  [ "$1" = uboot ] || return 1
  if [ ! -f "$BOARD_UBOOT" ]; then
    echo "board: $BOARD_UBOOT missing (package u-boot-qemu)" >&2
    return 1
  fi
  if ! board_uboot_env; then
    echo "board: cannot write the U-Boot environment (mkenvimage: u-boot-tools)" >&2
    return 1
  fi
  QEMU_CMD=(qemu-system-aarch64 -M "virt${BOARD_VIRT_OPTS:-}" -cpu cortex-a57
    -m "$KEEL_MEM" -smp "$KEEL_SMP" -semihosting -nic none -bios "$BOARD_UBOOT"
    -drive "if=pflash,unit=1,format=raw,readonly=on,file=$KEEL_WORK/uboot-env-flash.img"
    -kernel "$KEEL_KERNEL_IMAGE" -append "$KEEL_CMDLINE"
    -global virtio-mmio.force-legacy=false) # virtio-mmio version 2 (virtio 1.0+), not legacy
  if [ -n "${KEEL_INITRD:-}" ]; then
    QEMU_CMD+=(-initrd "$KEEL_INITRD")
  fi
  # --disk and the other virtio devices: virtio-mmio, the transport natural for virt (the -pci
  # board variant: virtio-pci behind the gpex host bridge).
  board_virtio_devices "${BOARD_VIRTIO:-mmio}"
}

# The kernel powers off through semihosting SYS_EXIT, which makes QEMU exit with the kernel's
# status (power_off never uses PSCI for a non-zero status, so a failure cannot exit 0). QEMU's
# own start-up errors exit 1, which reads as a kernel failure: still never a false pass.
board_kernel_status() {
  echo "$1"
}
