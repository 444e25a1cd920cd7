#!/usr/bin/env bash
# link-check.sh NM OBJECT...
# The link-time half of the gate: a services/ or drivers/ object may reference only
#  - symbols the framework's public headers declare, as the gate plugin saw them while
#    compiling that object (OBJECT.api, written next to it: -fplugin-arg-keel_gate-export-symbols),
#  - symbols another services/drivers object defines,
#  - the few the compiler itself emits calls to (below).
# Anything else (a framework-internal function reached by a forged declaration, an asm label,
# a symbol alias...) fails the build, naming the symbol and the object.
set -uo pipefail
export LC_ALL=C # sort and comm must agree on the order
nm=$1
shift

# Emitted by the compiler, not written: block copies and clears, the pure-virtual trap, and the
# sized delete a virtual destructor's deleting variant calls. The framework defines each.
runtime='^(memcpy|memset|memmove|memcmp|__cxa_pure_virtual|_ZdlPv|_ZdlPvm)$'

# One sorted set each: what the checked objects define, and per object what it may reference.
defined=$("$nm" --defined-only --format=just-symbols "$@" 2>/dev/null | sort -u)
status=0
for object in "$@"; do
  api="$object.api"
  if [ ! -f "$api" ]; then
    echo "link-check: $object has no $api (was it compiled through the gate?)" >&2
    status=1
    continue
  fi
  while IFS= read -r symbol; do
    printf 'link-check: error: %s references %s, which no public framework header declares\n' \
      "${object##*/CMakeFiles/}" "$symbol" >&2
    status=1
  done < <(comm -23 <("$nm" --undefined-only --format=just-symbols "$object" | sort -u) \
             <(sort -u "$api" - <<<"$defined") | grep -vE "$runtime")
done
[ $status -eq 0 ] && echo "link-check: $# objects reference only the public framework API"
exit $status
