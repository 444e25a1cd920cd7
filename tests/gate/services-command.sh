# Sourced by the gate's test scripts: services_command BUILD_DIR SOURCE sets the array `command`
# to the compile command of services/kernel/main.cc in BUILD_DIR (from compile_commands.json)
# with SOURCE in its place and no output or dependency-file options, so the caller adds its own
# -o. Returns 1 (with a message) when the build has no such command.
services_command() {
  local build=$1 source=$2 root line a skip=0
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  line=$(python3 - "$build/compile_commands.json" "$root/services/kernel/main.cc" <<'PY'
import json, sys
for entry in json.load(open(sys.argv[1])):
    if entry["file"] == sys.argv[2]:
        print(entry["command"])
        break
PY
  )
  [ -n "$line" ] || { echo "no compile command for services/kernel/main.cc in $build" >&2; return 1; }
  local args
  eval "args=($line)"
  command=()
  for a in "${args[@]}"; do
    if [ $skip = 1 ]; then skip=0; continue; fi
    case "$a" in
      -o | -MF | -MT) skip=1; continue ;;
      -MD) continue ;;
      "$root/services/kernel/main.cc") command+=("$source") ;;
      *) command+=("$a") ;;
    esac
  done
}
