#!/usr/bin/env bash
# Compiler launcher for services/ and drivers/: the safe subset's gate.
#   safe-subset.sh --tidy=CLANG_TIDY COMPILER ARGS...   (ARGS contain `-c SOURCE`)
# 1. lexical rules the compiler cannot see or cannot name well (each error names its rule);
# 2. clang-tidy with the profile in scripts/safe-subset.clang-tidy, warnings as errors;
# 3. the compiler itself (-Werror=unsafe-buffer-usage and the poison header come from CMake).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tidy=
case "${1:-}" in --tidy=*) tidy=${1#--tidy=}; shift ;; esac
compiler=$1
shift

source_file=
prev=
for a in "$@"; do
  [ "$prev" = "-c" ] && source_file=$a
  prev=$a
done
[ -n "$source_file" ] || exec "$compiler" "$@"

status=0
rule() { # rule NAME REGEX WHY
  local hits
  hits=$(grep -nE "$2" "$source_file" | grep -vE '^[0-9]+:\s*//') || return 0
  while IFS= read -r h; do
    printf '%s:%s: error: safe-subset rule [%s] violated: %s\n' "$source_file" "${h%%:*}" "$1" "$3" >&2
  done <<<"$hits"
  status=1
}
rule no-inline-asm        '\b(asm|__asm__|__asm)\b'            'inline assembly belongs in framework/arch'
rule no-volatile          '\bvolatile\b'                       'device registers are reached through IoMem'
rule no-reinterpret-cast  '\breinterpret_cast\b'               'reinterpreting memory is a framework operation'
rule no-const-cast        '\bconst_cast\b'                     'casting away const breaks the framework contract'
rule no-arch-conditionals '__(x86_64|riscv|aarch64|i386|arm|amd64)(__)?\b|KEEL_ARCH' \
                          'services and drivers build unchanged for every architecture'
rule no-private-includes  '^\s*#\s*include\s*(["<][^">]*(\.\./|arch/|framework/)|[^"< ])' \
                          'only <keel/...> (framework/include) and services/drivers headers may be included'
rule no-pragmas           '^\s*#\s*pragma|\b_Pragma\b'          'pragmas could switch the gate off'
rule no-raw-allocation    '\b(malloc|calloc|realloc|free|operator\s+new|operator\s+delete)\s*\(' \
                          'allocate through the framework (Box, RefPtr)'
rule no-c-varargs         '\.\.\.\s*\)|\bva_(list|start|arg|end)\b' 'C variadic functions are not type safe'
rule no-framework-detail  '\bdetail::'                          'keel::detail is the framework'"'"'s own plumbing (raw heap calls and the like)'
rule no-mutable-members   '^\s*mutable\b'                       'state that changes behind const goes through keel::Global or keel::Atomic'
rule no-raw-atomics       '\b__(atomic|sync)_[a-z_]+' 'words shared between CPUs go through keel::Atomic (keel/ktl/atomic.h)'
rule no-raw-device-windows '\bIoMem::acquire\b' 'device windows come from device handles (PciDevice::map_bar, PlatformDevice::map_reg), never from a physical address'
rule no-raw-irq-lines      '\bIrqLine::acquire(_shared)?\b' 'interrupts come from device handles (PciDevice::allocate_irqs, PlatformDevice::irq), never from a made-up specifier'
rule no-unchecked-spans    '\b(from_raw|from_c_string)\b'          'raw spans over arbitrary memory are a framework operation'

if [ -n "$tidy" ] && [ $status -eq 0 ]; then
  # clang-tidy sees the same flags as the compiler; the launcher's own args are dropped.
  "$tidy" --quiet --config-file="$here/safe-subset.clang-tidy" "$source_file" -- "$@" \
    -Wno-unknown-warning-option 2>&1 | grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' >&2
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
[ $status -eq 0 ] || exit 1
exec "$compiler" "$@"
