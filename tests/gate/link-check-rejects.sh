#!/usr/bin/env bash
# link-check-rejects.sh BUILD_DIR NM
# The link check must fail an object that references a framework-internal symbol its public
# headers never declared. Compiles tests/gate/link_internal_symbol.cc as a services/ file is
# compiled in BUILD_DIR, with the AST checks off (-fplugin-arg-keel_gate-no-check) but the
# symbol export on, then runs scripts/link-check.sh on the object alone.
set -uo pipefail
build=$1 nm=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
source=$root/tests/gate/link_internal_symbol.cc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source "$root/tests/gate/services-command.sh"
services_command "$build" "$source" || exit 1
out=("${command[@]}")
object=$work/link_internal_symbol.o
"${out[@]}" -fplugin-arg-keel_gate-no-check -o "$object" ||
  { echo "FAIL: the test object did not compile"; exit 1; }
[ -f "$object.api" ] || { echo "FAIL: the plugin wrote no $object.api"; exit 1; }

log=$("$root/scripts/link-check.sh" "$nm" "$object" 2>&1)
status=$?
echo "$log"
[ $status -ne 0 ] || { echo "FAIL: the link check accepted a reference to keel::arch::phys_to_virt"; exit 1; }
grep -q 'references _ZN4keel4arch12phys_to_virtEy' <<<"$log" ||
  grep -q 'references _ZN4keel4arch12phys_to_virtEm' <<<"$log" ||
  { echo "FAIL: rejected, but not for keel::arch::phys_to_virt"; exit 1; }
echo "rejected as expected: the reference to keel::arch::phys_to_virt"
