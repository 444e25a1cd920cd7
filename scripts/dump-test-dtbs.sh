#!/usr/bin/env bash
# Dumps the device trees the host tests use (tests/host/data/README.md) from this QEMU.
set -euo pipefail
cd "$(dirname "$0")/../tests/host/data"
q() { "$@" -display none >/dev/null; }
q qemu-system-riscv64 -M virt,dumpdtb=riscv64-virt.dtb -m 256M -smp 1
q qemu-system-riscv64 -M virt,dumpdtb=riscv64-virt-smp4-1g.dtb -m 1G -smp 4
q qemu-system-aarch64 -M virt,dumpdtb=aarch64-virt.dtb -cpu cortex-a57 -m 256M
q qemu-system-aarch64 -M virt,gic-version=3,dumpdtb=aarch64-virt-gicv3-smp4-4g.dtb -cpu cortex-a57 \
  -smp 4 -m 4G
