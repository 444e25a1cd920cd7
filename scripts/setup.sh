#!/usr/bin/env bash
# Installs what Keel needs on a Debian bookworm machine and fetches third-party sources into the
# cache. Idempotent: a second run does nothing but check. Sourced by ./keel; callable on its own.
#
# Nothing fetched here is committed: sources land in $KEEL_CACHE (default ~/.cache/keel), keyed by
# the Debian package version, and apt's own configuration is taken from the machine.

KEEL_ROOT=${KEEL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KEEL_CACHE=${KEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keel}

# Packages by purpose; the command each provides is what we test for before calling apt.
KEEL_PACKAGES=(
  clang-16 lld-16 llvm-16 clang-tidy-16         # the kernel's toolchain and the safe-subset gate
  libclang-16-dev llvm-16-dev                    # the gate plugin (tools/gate) builds against clang's headers
  cmake ninja-build python3                      # the build (python3: the gate test harness)
  clang-format-16                                # the style check
  libgtest-dev g++ libclang-rt-16-dev            # host tests (with ASan and UBSan)
  qemu-system-x86 qemu-system-misc qemu-system-arm
  opensbi u-boot-qemu u-boot-tools               # firmware: OpenSBI, U-Boot, mkenvimage
  grub-pc-bin grub-common xorriso mtools         # the x86 GRUB ISO chain
  fdisk dosfstools                               # the riscv64 U-Boot boot disk
  dpkg-dev xz-utils                              # apt-get source
  gdb-multiarch                                  # ./keel debug
  gcc libc6-dev                                  # tests/user: static glibc programs, x86_64
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross  #   riscv64
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross    #   aarch64
  qemu-user-static                               #   and Linux's own answer, under qemu-user
  cpio                                           # initramfs archives (newc)
)

keel_log() { printf 'keel: %s\n' "$*" >&2; }

keel_missing_packages() {
  local missing=() p
  for p in "${KEEL_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  printf '%s\n' "${missing[@]}"
}

keel_install_packages() {
  local missing
  mapfile -t missing < <(keel_missing_packages | sed '/^$/d')
  [ ${#missing[@]} -eq 0 ] && return 0
  keel_log "installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# A private apt configuration with deb-src entries, made from the machine's own sources, so that
# `apt-get source` works without touching /etc/apt and without naming any host here.
keel_apt_src_config() {
  local dir="$KEEL_CACHE/apt-src"
  mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/sources.list.d"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    sed 's/^Types:.*deb\b.*/Types: deb-src/' "$f" >"$dir/sources.list.d/$(basename "$f")"
  done
  if [ -s /etc/apt/sources.list ]; then
    grep -E '^\s*deb\s' /etc/apt/sources.list | sed 's/^\s*deb\s/deb-src /' >"$dir/sources.list" || true
  fi
  : >>"$dir/sources.list"
  APT_SRC_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list"
                -o "Dir::Etc::SourceParts=$dir/sources.list.d"
                -o "Dir::State::Lists=$dir/lists"
                -o "Dir::Cache::Archives=$dir/archives"
                -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  if [ ! -e "$dir/lists/.updated" ]; then
    apt-get "${APT_SRC_OPTS[@]}" update -qq >/dev/null
    touch "$dir/lists/.updated"
  fi
}

# libfdt: the pristine sources shipped in Debian's u-boot source package (scripts/dtc/libfdt).
keel_fetch_libfdt() {
  local version
  version=$(dpkg-query -W -f='${Version}' u-boot-qemu 2>/dev/null || true)
  [ -n "$version" ] || { keel_log "u-boot-qemu is not installed"; return 1; }
  local dest="$KEEL_CACHE/libfdt-u-boot-${version//[:~]/_}"
  if [ ! -e "$dest/.complete" ]; then
    keel_log "fetching libfdt from the u-boot $version source package"
    keel_apt_src_config
    local work
    work=$(mktemp -d)
    (cd "$work" && apt-get "${APT_SRC_OPTS[@]}" source --download-only -qq "u-boot=$version" >/dev/null)
    local tarball
    tarball=$(ls "$work"/u-boot_*.orig.tar.* | head -n 1)
    rm -rf "$dest" && mkdir -p "$dest"
    tar -xf "$tarball" -C "$work" --wildcards '*/scripts/dtc/libfdt/*'
    cp "$work"/*/scripts/dtc/libfdt/*.[ch] "$dest/"
    rm -rf "$work"
    touch "$dest/.complete"
  fi
  ln -sfn "$dest" "$KEEL_CACHE/libfdt"
}

# A subshell with -e: any failed step fails the set-up, without leaking -e into ./keel.
keel_setup() (
  set -euo pipefail
  mkdir -p "$KEEL_CACHE"
  keel_install_packages
  keel_fetch_libfdt
)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  keel_setup
fi
