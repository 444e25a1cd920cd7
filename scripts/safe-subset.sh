#!/usr/bin/env bash
# Compiler launcher for services/ and drivers/: the safe subset's gate.
#   safe-subset.sh --tidy=CLANG_TIDY COMPILER ARGS...   (ARGS contain `-c SOURCE`)
# Every rule of the safe subset is the gate plugin's (tools/gate), which the compiler runs on the
# AST after preprocessing; no rule is checked on words any more.
# 1. the compiler itself, with the gate plugin and -Werror=unsafe-buffer-usage (both from
#    cmake/SafeSubset.cmake);
# 2. clang-tidy with the profile in scripts/safe-subset.clang-tidy, warnings as errors.
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

# The compiler with the gate plugin first: its errors name the rule a construct breaks, even
# where clang-tidy would also have objected.
"$compiler" "$@" || exit 1
if [ -n "$tidy" ]; then
  # clang-tidy sees the same flags as the compiler; the launcher's own args are dropped, and so
  # is the gate plugin (it runs in the compiler, not in clang-tidy).
  tidy_args=()
  for a in "$@"; do
    case "$a" in -fplugin=* | -fplugin-arg-*) ;; *) tidy_args+=("$a") ;; esac
  done
  "$tidy" --quiet --config-file="$here/safe-subset.clang-tidy" "$source_file" -- "${tidy_args[@]}" \
    -Wno-unknown-warning-option 2>&1 | grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' >&2
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    # No object from a rejected file (a rebuild must not find it up to date).
    prev=
    for a in "$@"; do
      [ "$prev" = "-o" ] && [ "$a" != /dev/null ] && rm -f "$a" "$a.api"
      prev=$a
    done
    exit 1
  fi
fi
