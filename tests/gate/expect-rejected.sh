#!/usr/bin/env bash
# expect-rejected.sh [--accept] BUILD_DIR FILE
# Compiles FILE exactly as a services/ file is compiled in BUILD_DIR (the command of
# services/kernel/main.cc, tests/gate/services-command.sh, through scripts/safe-subset.sh) and
# passes when the gate rejects it with an error naming the rule given in the file's
# `// expect-rule: REGEX` line. With --accept, passes when FILE compiles cleanly.
set -uo pipefail
accept=0
[ "${1:-}" = "--accept" ] && { accept=1; shift; }
build=$1 file=$2
root=$(cd "$(dirname "$0")/../.." && pwd)

# The same command for FILE: swap the source, discard the object.
source "$root/tests/gate/services-command.sh"
services_command "$build" "$file" || exit 1
out=("${command[@]}")
out+=(-o /dev/null)
tidy=$(grep -m1 '^KEEL_CLANG_TIDY:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2)

log=$("$root/scripts/safe-subset.sh" "--tidy=${tidy:-clang-tidy-16}" "${out[@]}" 2>&1)
status=$?
if [ $accept = 1 ]; then
  [ $status -eq 0 ] && { echo "accepted: $(basename "$file")"; exit 0; }
  echo "$log"; echo "FAIL: a good file was rejected"; exit 1
fi
rule=$(sed -n 's|^// expect-rule: ||p' "$file" | head -n 1)
[ -n "$rule" ] || { echo "FAIL: $file has no '// expect-rule:' line"; exit 1; }
if [ $status -eq 0 ]; then
  echo "FAIL: $(basename "$file") compiled, but the gate must reject it ($rule)"; exit 1
fi
if ! grep -qE "$rule" <<<"$log"; then
  echo "$log"; echo "FAIL: rejected, but no error names the rule /$rule/"; exit 1
fi
echo "rejected as expected: $(basename "$file"): $(grep -m1 -oE "$rule" <<<"$log")"
