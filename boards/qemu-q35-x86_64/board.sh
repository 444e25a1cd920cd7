# QEMU q35 (x86_64): qboot or SeaBIOS, COM1, isa-debug-exit for the power-off status.
# Sourced by ./keel; see boards/README.md for the interface.
#   pvh          QEMU -kernel under qboot, which enters the ELF at its Xen note (fastest)
#   grub         SeaBIOS -> GRUB from a grub-mkrescue ISO (built in $KEEL_WORK) -> multiboot2
#   pvh-seabios  QEMU -kernel under SeaBIOS's PVH option ROM (the default firmware)

BOARD_ARCH=x86_64
# shellcheck source=../virtio.sh
source "$KEEL_ROOT/boards/virtio.sh"
BOARD_CHAINS="pvh grub pvh-seabios"

# qboot ships with QEMU (qemu-system-data) and starts in a third of SeaBIOS's time.
BOARD_QBOOT=/usr/share/qemu/qboot.rom

board_describe_chain() {
    case $1 in
    pvh) echo "QEMU q35: qboot loads keel.elf through its PVH note (-kernel)" ;;
    pvh-seabios) echo "QEMU q35: SeaBIOS loads keel.elf through its PVH note (-kernel)" ;;
    grub) echo "QEMU q35: SeaBIOS -> GRUB 2 (grub-mkrescue ISO) -> keel.elf as multiboot2" ;;
    *) echo "unknown chain: $1" >&2; return 1 ;;
    esac
}

# Builds $KEEL_WORK/keel-grub.iso for the current kernel, initrd and command line; reuses the
# previous ISO when none of them changed (grub-mkrescue takes about a second). Prints its path.
board_grub_iso() {
    local tree=$KEEL_WORK/grub-iso iso=$KEEL_WORK/keel-grub.iso
    local cfg=$KEEL_WORK/grub.cfg.new
    mkdir -p "$tree/boot/grub" || return 1
    # GRUB passes the words after the kernel path on as the multiboot2 command line. Its own
    # quoting rules apply: a command line with quotes may not arrive verbatim.
    {
        echo "set timeout=0"
        echo "set timeout_style=hidden"
        echo "menuentry keel {"
        echo "    multiboot2 /boot/keel.elf $KEEL_CMDLINE"
        if [ -n "$KEEL_INITRD" ]; then
            echo "    module2 /boot/initrd initrd"
        fi
        echo "}"
    } >"$cfg"
    if [ -f "$iso" ] && cmp -s "$cfg" "$tree/boot/grub/grub.cfg" &&
        cmp -s "$KEEL_KERNEL_ELF" "$tree/boot/keel.elf" &&
        { [ -z "$KEEL_INITRD" ] || cmp -s "$KEEL_INITRD" "$tree/boot/initrd"; }; then
        rm -f "$cfg"
        echo "$iso"
        return 0
    fi
    rm -f "$iso" "$tree/boot/initrd"
    mv "$cfg" "$tree/boot/grub/grub.cfg"
    cp "$KEEL_KERNEL_ELF" "$tree/boot/keel.elf" || return 1
    if [ -n "$KEEL_INITRD" ]; then
        cp "$KEEL_INITRD" "$tree/boot/initrd" || return 1
    fi
    if ! grub-mkrescue -o "$iso.tmp" "$tree" >"$KEEL_WORK/grub-mkrescue.log" 2>&1; then
        echo "grub-mkrescue failed (needs grub-pc-bin, xorriso, mtools):" >&2
        cat "$KEEL_WORK/grub-mkrescue.log" >&2
        return 1
    fi
    mv "$iso.tmp" "$iso"
    echo "$iso"
}

board_qemu_command() {
    # -no-reboot: a triple fault ends QEMU (status 0, reported as 255) instead of rebooting.
    # qemu64 plus FSGSBASE: user code reads its TLS register (FS base) with RDFSBASE.
    QEMU_CMD=(qemu-system-x86_64 -M q35 -cpu qemu64,+fsgsbase -m "$KEEL_MEM" -smp "$KEEL_SMP" -no-reboot
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -nic none)
    case $1 in
    pvh | pvh-seabios)
        if [ "$1" = pvh ]; then
            if [ ! -f "$BOARD_QBOOT" ]; then
                echo "$BOARD_QBOOT missing (package qemu-system-data); try chain pvh-seabios" >&2
                return 1
            fi
            QEMU_CMD+=(-bios "$BOARD_QBOOT")
        fi
        QEMU_CMD+=(-kernel "$KEEL_KERNEL_ELF" -append "$KEEL_CMDLINE")
        if [ -n "$KEEL_INITRD" ]; then
            QEMU_CMD+=(-initrd "$KEEL_INITRD")
        fi
        ;;
    grub)
        local iso
        iso=$(board_grub_iso) || return 1
        QEMU_CMD+=(-cdrom "$iso" -boot d)
        ;;
    *)
        echo "unknown chain: $1 (chains: $BOARD_CHAINS)" >&2
        return 1
        ;;
    esac
    # --disk and the other virtio devices on PCI, the transport natural for a PC.
    board_virtio_devices pci
}

# isa-debug-exit: the kernel writes 0x10 for success (QEMU exits 33), 0x11 for failure (35).
board_kernel_status() {
    case $1 in
    33) echo 0 ;;
    35) echo 1 ;;
    *) echo 255 ;;
    esac
}
