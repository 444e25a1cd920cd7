# Functions behind ./keel: building, booting a board's chain under QEMU, and the test suite.
# Sourced by ./keel; expects KEEL_ROOT and scripts/setup.sh to be loaded.

die() { printf 'keel: %s\n' "$*" >&2; exit 1; }

# A check failed: says why on stderr and in the stage's log (so the summary repeats it); returns 1.
fail_because() {
  printf 'keel-test: %s\n' "$*" >&2
  [ -z "${STAGE_LOG:-}" ] || printf 'keel-test: %s\n' "$*" >>"$STAGE_LOG"
  return 1
}

default_board() {
  case "$1" in
    x86_64) echo qemu-q35-x86_64 ;;
    riscv64) echo qemu-virt-riscv64 ;;
    aarch64) echo qemu-virt-aarch64 ;;
    *) return 1 ;;
  esac
}

parse_run_options() {
  OPT_ARCH= OPT_BOARD= OPT_CHAIN= OPT_MEM=256M OPT_SMP=1 OPT_INITRD= OPT_DISK= OPT_TIMEOUT=
  OPT_CMDLINE= OPT_DEBUG=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --arch | --board | --chain | --mem | --smp | --initrd | --disk | --timeout)
        [ $# -ge 2 ] || return 1
        local name=${1#--}
        printf -v "OPT_${name^^}" '%s' "$2"
        shift 2 ;;
      --arch=* | --board=* | --chain=* | --mem=* | --smp=* | --initrd=* | --disk=* | --timeout=*)
        local name=${1%%=*}
        name=${name#--}
        printf -v "OPT_${name^^}" '%s' "${1#*=}"
        shift ;;
      --) shift; OPT_CMDLINE="$*"; break ;;
      *) printf 'keel: unknown option %s\n' "$1" >&2; return 1 ;;
    esac
  done
  if [ -z "$OPT_BOARD" ]; then
    OPT_ARCH=${OPT_ARCH:-x86_64}
    OPT_BOARD=$(default_board "$OPT_ARCH") || { echo "keel: unknown arch $OPT_ARCH" >&2; return 1; }
  fi
  [ -f "$KEEL_ROOT/boards/$OPT_BOARD/board.sh" ] || { echo "keel: no board $OPT_BOARD" >&2; return 1; }
  local board_arch
  board_arch=$(BOARD_ARCH=; source "$KEEL_ROOT/boards/$OPT_BOARD/board.sh"; echo "$BOARD_ARCH")
  if [ -n "$OPT_ARCH" ] && [ "$OPT_ARCH" != "$board_arch" ]; then
    echo "keel: board $OPT_BOARD is $board_arch, not $OPT_ARCH" >&2
    return 1
  fi
  OPT_ARCH=$board_arch
  [ -z "$OPT_INITRD" ] || [ -f "$OPT_INITRD" ] || { echo "keel: no initrd $OPT_INITRD" >&2; return 1; }
  [ -z "$OPT_DISK" ] || [ -f "$OPT_DISK" ] || { echo "keel: no disk $OPT_DISK" >&2; return 1; }
  return 0
}

# Configures (once) and builds one preset quietly; shows the output only on failure.
build_preset() {
  local preset=$1 log
  log=$(mktemp)
  if [ ! -f "$KEEL_ROOT/build/$preset/build.ninja" ]; then
    if ! (cd "$KEEL_ROOT" && cmake --preset "$preset" >"$log" 2>&1); then
      cat "$log" >&2; rm -f "$log"; return 1
    fi
  fi
  if ! cmake --build "$KEEL_ROOT/build/$preset" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  rm -f "$log"
}

build_arch() {
  printf 'keel: building %s\n' "$1" >&2
  build_preset "$1" || return 1
  # clangd finds compile_commands.json at the root: point it at the last arch built.
  ln -sfn "build/$1/compile_commands.json" "$KEEL_ROOT/compile_commands.json"
}

# Boots one chain of a board. Output goes to stdout; returns the kernel's power-off status
# (0 success), 124 on timeout, 255 when QEMU failed on its own.
boot_board() {
  local board=$1 chain=$2
  (
    BOARD_CHAINS=
    # shellcheck source=/dev/null
    source "$KEEL_ROOT/boards/$board/board.sh"
    chain=${chain:-${BOARD_CHAINS%% *}}
    case " $BOARD_CHAINS " in *" $chain "*) ;; *) die "board $board has no chain '$chain' ($BOARD_CHAINS)" ;; esac
    export KEEL_BUILD="$KEEL_ROOT/build/$BOARD_ARCH"
    export KEEL_KERNEL_ELF="$KEEL_BUILD/keel.elf"
    export KEEL_KERNEL_IMAGE="$KEEL_BUILD/Image"
    export KEEL_CMDLINE=$OPT_CMDLINE KEEL_MEM=$OPT_MEM KEEL_SMP=$OPT_SMP KEEL_CACHE
    export KEEL_INITRD=${OPT_INITRD:+$(realpath "$OPT_INITRD")}
    export KEEL_DISK=${OPT_DISK:+$(realpath "$OPT_DISK")}
    export KEEL_WORK="$KEEL_BUILD/work/$board-$chain"
    mkdir -p "$KEEL_WORK"
    QEMU_CMD=()
    board_qemu_command "$chain" || die "board $board could not prepare chain $chain"
    # KEEL_QEMU_EXTRA: more QEMU arguments (words split on spaces), to try a device by hand.
    if [ -n "${KEEL_QEMU_EXTRA:-}" ]; then
      read -r -a extra <<<"$KEEL_QEMU_EXTRA"
      QEMU_CMD+=("${extra[@]}")
    fi
    if [ -t 0 ] && [ -t 1 ] && [ "$OPT_DEBUG" = 0 ]; then
      QEMU_CMD+=(-nographic)
    else
      QEMU_CMD+=(-display none -serial stdio -monitor none)
    fi
    printf 'keel: booting %s via %s: %s\n' "$board" "$chain" "$(board_describe_chain "$chain")" >&2
    if [ "$OPT_DEBUG" = 1 ]; then
      QEMU_CMD+=(-s -S)
      printf 'keel: QEMU waits for GDB on :1234. In another terminal:\n' >&2
      printf '  gdb-multiarch %s -ex "target remote :1234"\n' "$KEEL_KERNEL_ELF" >&2
    fi
    local status
    if [ -n "$OPT_TIMEOUT" ]; then
      timeout --foreground -k 5 "$OPT_TIMEOUT" "${QEMU_CMD[@]}"
      status=$?
      if [ $status -eq 124 ] || [ $status -eq 137 ]; then
        printf '\nkeel: %s via %s timed out after %ss\n' "$board" "$chain" "$OPT_TIMEOUT" >&2
        exit 124
      fi
    else
      "${QEMU_CMD[@]}"
      status=$?
    fi
    exit "$(board_kernel_status "$status")"
  )
}

boards_of_arch() {
  local dir
  for dir in "$KEEL_ROOT"/boards/*/; do
    [ -f "$dir/board.sh" ] || continue
    if [ "$(BOARD_ARCH=; source "$dir/board.sh"; echo "$BOARD_ARCH")" = "$1" ]; then
      basename "$dir"
    fi
  done
}

# --- the test suite ----------------------------------------------------------------------------
TEST_PASSED=0
TEST_FAILED=0
TEST_FAILURES=()
TEST_FAILURE_LOGS=()
STAGE_LOG=

# Boots BOARD CHAIN with no input, its output to stdout and to LOG, which becomes the stage's
# log (see record). Returns boot_board's status.
boot_logged() { # boot_logged LOG BOARD CHAIN
  local log=$1
  STAGE_LOG=$log
  boot_board "$2" "$3" </dev/null 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

# Counts a stage. A failed stage keeps the log of its last boot (STAGE_LOG), whose telling
# lines the summary repeats: a CI log may hold only the end of the output.
record() { # record NAME STATUS
  if [ "$2" -eq 0 ]; then
    TEST_PASSED=$((TEST_PASSED + 1))
    printf 'keel-test: PASS %s\n' "$1"
  else
    TEST_FAILED=$((TEST_FAILED + 1))
    TEST_FAILURES+=("$1")
    TEST_FAILURE_LOGS+=("${STAGE_LOG:-}")
    printf 'keel-test: FAIL %s\n' "$1"
  fi
  STAGE_LOG=
}

# What a failed stage's log says: its failure lines and its last lines.
report_failed_log() { # report_failed_log NAME LOG
  printf '\n--- %s: %s ---\n' "$1" "${2:-no boot log}"
  [ -n "$2" ] && [ -f "$2" ] || return 0
  grep -anE 'FAIL|PANIC|keel-test:|timed out|\.c:[0-9]+: ' "$2" | head -n 40
  printf -- '--- last lines ---\n'
  tail -n 25 "$2"
}

test_host() {
  printf '\n=== host: GoogleTest (ctest) ===\n'
  if ! build_preset host; then record "host build" 1; return; fi
  (cd "$KEEL_ROOT/build/host" && ctest --output-on-failure)
  record "host tests" $?
}

test_format() {
  printf '\n=== style: clang-format ===\n'
  format_tree --check
  record "clang-format" $?
}

# A ktest boot passes when the kernel powers off with 0 and printed "ktest: N passed, 0 failed"
# with N > 0.
check_ktest_log() {
  local log=$1 status=$2 line
  line=$(grep -aE '^ktest: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 | tr -d '\r')
  [ "$status" -eq 0 ] || return 1
  [[ "$line" =~ ^ktest:\ ([0-9]+)\ passed,\ 0\ failed$ ]] || return 1
  [ "${BASH_REMATCH[1]}" -gt 0 ]
}

# A deliberate panic must print the message and a symbolized backtrace, and fail the run.
check_panic_log() {
  local log=$1 status=$2
  [ "$status" -ne 0 ] || fail_because "the panic run exited 0"
  grep -aq 'KERNEL PANIC: deliberate panic' "$log" || fail_because "no panic message"
  grep -aq '^backtrace:' "$log" || fail_because "no backtrace"
  grep -aq 'deliberate_panic_inner' "$log" || fail_because "backtrace not symbolized"
}

# A fatal ktest must end the kernel with a fault report: what happened, the address, the
# faulting function symbolized, and a backtrace; and the run must fail.
check_fault_log() {
  local log=$1 status=$2 kind=$3 function=$4
  [ "$status" -ne 0 ] || fail_because "the fault run exited 0"
  grep -aqE "KERNEL PANIC: $kind: (read|write|execute) at address 0x[0-9a-f]{16}" "$log" ||
    fail_because "no '$kind' report with its fault address"
  grep -aqE "^  pc 0x[0-9a-f]+ .*$function" "$log" ||
    fail_because "the faulting pc is not symbolized as $function"
  grep -aq '^backtrace:' "$log" || fail_because "no backtrace"
  grep -aqE '^  #[0-9]+ +0x[0-9a-f]+ keel::ktest::run_all' "$log" ||
    fail_because "the backtrace does not reach the ktest runner"
}

# A task's stack overflow: reported from its guard page, the backtrace ending at the task entry.
check_task_fault_log() {
  local log=$1 status=$2
  [ "$status" -ne 0 ] || fail_because "the fault run exited 0"
  grep -aqE 'KERNEL PANIC: kernel stack overflow: write at address 0x[0-9a-f]{16}' "$log" ||
    fail_because "no stack overflow report"
  grep -aq 'guard page below the kernel stack' "$log" ||
    fail_because "the report does not name the task stack's guard page"
  grep -aqE '^  pc 0x[0-9a-f]+ .*recurse_in_a_task' "$log" ||
    fail_because "the faulting pc is not symbolized"
  grep -aqE '^  #[0-9]+ +0x[0-9a-f]+ keel::sched::.*task_entry' "$log" ||
    fail_because "the backtrace does not end at the task entry"
}

# The debug heap's checks must catch the bug, say what it was, and show who did it.
check_heap_panic_log() {
  local log=$1 status=$2 what=$3 function=$4
  [ "$status" -ne 0 ] || fail_because "the heap check run exited 0"
  grep -aqE "KERNEL PANIC: $what" "$log" || fail_because "no '$what' panic"
  grep -aqE "^  #[0-9]+ +0x[0-9a-f]+ .*$function" "$log" ||
    fail_because "the backtrace does not name $function"
}

# The boot log's memory line: usable RAM must be what QEMU was given, less at most the kernel
# image and 4 MiB for firmware, boot data and the legacy holes; and never more.
check_memory_log() {
  local log=$1 mem=$2 line given usable kernel
  line=$(grep -aoE 'memory: [0-9]+ KiB RAM, [0-9]+ KiB usable, [0-9]+ KiB kernel image' "$log" | head -n 1)
  [[ "$line" =~ ([0-9]+)\ KiB\ RAM,\ ([0-9]+)\ KiB\ usable,\ ([0-9]+)\ KiB ]] ||
    fail_because "no memory report line"
  usable=${BASH_REMATCH[2]} kernel=${BASH_REMATCH[3]}
  case $mem in *G) given=$(( ${mem%G} * 1024 * 1024 )) ;; *M) given=$(( ${mem%M} * 1024 )) ;; esac
  printf 'keel-test: --mem %s: %d KiB given, %d KiB usable, %d KiB kernel image\n' \
    "$mem" "$given" "$usable" "$kernel"
  [ "$usable" -le "$given" ] && [ "$usable" -ge $(( given - kernel - 4096 )) ]
}

# Console input by interrupt: boot the alone ktest with stdin on a fifo, wait for its prompt,
# type the line it expects. Typing earlier could be eaten by firmware (U-Boot's autoboot).
run_console_input_test() {
  local board=$1 chain=$2 log=$3 fifo pid writer status i
  fifo=$(mktemp -u "${TMPDIR:-/tmp}/keel-input.XXXXXX") && mkfifo "$fifo" || return 1
  : >"$log"
  STAGE_LOG=$log
  OPT_CMDLINE="ktest=console_input.typed_line_arrives_by_interrupt" OPT_TIMEOUT=120
  boot_board "$board" "$chain" <"$fifo" >"$log" 2>&1 &
  pid=$!
  exec {writer}>"$fifo"
  for ((i = 0; i < 900; i++)); do
    grep -aq 'console input: waiting for a line' "$log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  printf 'keel-typed-1\r' >&"$writer"
  wait "$pid"
  status=$?
  exec {writer}>&-
  rm -f "$fifo"
  cat "$log"
  check_ktest_log "$log" "$status"
}

# Devices: a fresh pattern disk on --disk, a virtio-rng and a virtio console (boards/virtio.sh),
# the PCI/platform/virtio/block ktests with ktest.disk (the disk must be found), then what the
# kernel wrote: the console file and the sectors the write test changed on the image.
test_devices_keel() { # test_devices_keel ARCH BOARD CHAIN [EXTRA-CMDLINE-WORD]
  local arch=$1 board=$2 chain=$3 extra=${4:-} log disk console status
  log="$KEEL_ROOT/build/$arch/devices-$board-$chain${extra:+-${extra//[=,]/-}}.log"
  disk="$KEEL_ROOT/build/$arch/test-disk-$board.img"
  console="$KEEL_ROOT/build/$arch/virtio-console-$board.txt"
  python3 "$KEEL_ROOT/scripts/make-test-disk.py" "$disk" || return 1
  rm -f "$console"
  # console=hvc0: the virtio console is a log console too (the boot's lines replayed).
  OPT_CMDLINE="ktest=pci,platform,virtio,block,irq,log ktest.disk console=hvc0 $extra"
  OPT_DISK=$disk
  OPT_TIMEOUT=120
  OPT_MEM=256M OPT_SMP=1 OPT_INITRD= OPT_DEBUG=0
  KEEL_VIRTIO_CONSOLE=$console boot_logged "$log" "$board" "$chain"
  status=$?
  OPT_DISK=
  check_ktest_log "$log" "$status" || return 1
  grep -aqE '^ktest: PASS virtio_blk\.' "$log" ||
    fail_because "no virtio-blk ktest ran"
  # Every board has PCI and attaches an rng and (here) a console: their cases must not skip.
  ! grep -aqE '^ktest: SKIP (virtio_|pci\.)' "$log" ||
    fail_because "a PCI or virtio ktest skipped although its device is there"
  grep -aq 'virtio: virtio-blk' "$log" ||
    fail_because "the boot log names no bound virtio-blk"
  if [ "$extra" = pci=nomsi ]; then
    grep -aqE 'virtio: virtio-blk on pci .*\(INTx' "$log" ||
      fail_because "pci=nomsi, yet virtio-blk is not on INTx"
  fi
  grep -aq 'keel virtio-console says hello' "$console" 2>/dev/null ||
    fail_because "nothing arrived on the virtio console ($console)"
  # The log on hvc0: the first line (printed before the device was found), one printed while
  # the ktests ran, each as the serial console had it, and the last (power-off waits for it).
  local first
  first=$(grep -am1 "Keel ($arch) booting" "$log" | tr -d '\r')
  grep -aqF "$first" "$console" ||
    fail_because "the kernel log's first line did not reach hvc0"
  grep -aqE '^\[ *[0-9]+\.[0-9]{6}\] log ktest: first of 2' "$console" ||
    fail_because "a log line printed after hvc0 came up did not reach it"
  grep -aqE '^\[ *[0-9]+\.[0-9]{6}\] power off, status 0' "$console" ||
    fail_because "the last log line did not reach hvc0 before power-off"
  python3 - "$disk" <<'PY' || fail_because "the disk image lacks what the kernel wrote"
import sys
data = open(sys.argv[1], "rb").read()
for n in range(1000, 1008):
    want = f"keel wrote sector {n}\n".encode()
    if data[n * 512 : n * 512 + len(want)] != want:
        sys.exit(f"sector {n}: {data[n * 512 : n * 512 + 24]!r}")
PY
}

test_arch() {
  local arch=$1 board chain log status
  printf '\n=== %s: build and safe-subset gate ===\n' "$arch"
  if ! build_arch "$arch"; then record "$arch build" 1; return; fi
  record "$arch build (services and drivers pass the safe-subset gate)" 0
  (cd "$KEEL_ROOT/build/$arch" && ctest --output-on-failure -j "$(nproc)")
  record "$arch safe-subset gate rejects each bad file" $?
  printf '\n=== %s: user tests under qemu-user ===\n' "$arch"
  build_user_tests "$arch" && test_user_qemu "$arch"
  record "$arch user tests under qemu-user" $?
  for board in $(boards_of_arch "$arch"); do
    local chains tests
    chains=$(BOARD_CHAINS=; source "$KEEL_ROOT/boards/$board/board.sh"; echo "$BOARD_CHAINS")
    tests=$(BOARD_TESTS=all; source "$KEEL_ROOT/boards/$board/board.sh"; echo "$BOARD_TESTS")
    if [[ " $tests " == *" devices "* ]]; then
      # A variant that differs only in its devices: their tests, on its first chain; with
      # devices-intx also once more with pci=nomsi, for the INTx path of its controller.
      chain=${chains%% *}
      printf '\n=== %s: devices on %s via %s ===\n' "$arch" "$board" "$chain"
      test_devices_keel "$arch" "$board" "$chain"
      record "$arch devices (PCI, virtio-blk/-rng/-console) $board/$chain" $?
      if [[ " $tests " == *" devices-intx "* ]]; then
        printf '\n=== %s: devices on %s via %s, pci=nomsi ===\n' "$arch" "$board" "$chain"
        test_devices_keel "$arch" "$board" "$chain" pci=nomsi
        record "$arch devices on INTx (pci=nomsi) $board/$chain" $?
      fi
      continue
    fi
    for chain in $chains; do
      printf '\n=== %s: ktest on %s via %s ===\n' "$arch" "$board" "$chain"
      log="$KEEL_ROOT/build/$arch/ktest-$board-$chain.log"
      OPT_CMDLINE="ktest" OPT_MEM=256M OPT_SMP=1 OPT_INITRD= OPT_DISK= OPT_TIMEOUT=120 OPT_DEBUG=0
      boot_logged "$log" "$board" "$chain"
      status=$?
      check_ktest_log "$log" "$status"
      record "$arch ktest $board/$chain (status $status)" $?
    done
    chain=${chains%% *}
    local smp
    for smp in 1 4; do
      printf '\n=== %s: user tests on Keel, %s via %s, --smp %s ===\n' "$arch" "$board" "$chain" "$smp"
      test_user_keel "$arch" "$board" "$chain" "$smp"
      record "$arch user tests on Keel $board/$chain --smp $smp" $?
    done
    printf '\n=== %s: devices on %s via %s ===\n' "$arch" "$board" "$chain"
    test_devices_keel "$arch" "$board" "$chain"
    record "$arch devices (virtio-blk/-rng/-console) $board/$chain" $?

    printf '\n=== %s: init=/hello on %s via %s ===\n' "$arch" "$board" "$chain"
    test_hello_keel "$arch" "$board" "$chain"
    record "$arch init=/hello (static and static-pie) $board/$chain" $?

    printf '\n=== %s: deliberate panic on %s via %s ===\n' "$arch" "$board" "$chain"
    log="$KEEL_ROOT/build/$arch/panic-$board-$chain.log"
    OPT_CMDLINE="keel.test_panic" OPT_TIMEOUT=120
    boot_logged "$log" "$board" "$chain"
    status=$?
    check_panic_log "$log" "$status"
    record "$arch panic report $board/$chain" $?

    local mem
    for mem in 128M 1G 4G; do
      printf '\n=== %s: ktest with --mem %s on %s via %s ===\n' "$arch" "$mem" "$board" "$chain"
      log="$KEEL_ROOT/build/$arch/ktest-mem$mem-$board-$chain.log"
      OPT_CMDLINE="ktest" OPT_MEM=$mem OPT_TIMEOUT=120
      boot_logged "$log" "$board" "$chain"
      status=$?
      check_ktest_log "$log" "$status" && check_memory_log "$log" "$mem"
      record "$arch ktest --mem $mem $board/$chain (status $status)" $?
    done
    OPT_MEM=256M

    for smp in 2 4; do
      printf '\n=== %s: ktest with --smp %s on %s via %s ===\n' "$arch" "$smp" "$board" "$chain"
      log="$KEEL_ROOT/build/$arch/ktest-smp$smp-$board-$chain.log"
      OPT_CMDLINE="ktest" OPT_SMP=$smp OPT_TIMEOUT=120
      boot_logged "$log" "$board" "$chain"
      status=$?
      check_ktest_log "$log" "$status" && grep -aq "smp: $smp of $smp CPUs online" "$log"
      record "$arch ktest --smp $smp $board/$chain (status $status)" $?
    done
    OPT_SMP=1

    local fault kind function
    for fault in "write_kernel_text:write to read-only kernel text:write_into_kernel_text" \
                 "stack_overflow:kernel stack overflow:recurse_forever"; do
      IFS=: read -r fault kind function <<<"$fault"
      printf '\n=== %s: fatal ktest mm_fault.%s on %s via %s ===\n' "$arch" "$fault" "$board" "$chain"
      log="$KEEL_ROOT/build/$arch/fault-$fault-$board-$chain.log"
      OPT_CMDLINE="ktest=mm_fault.$fault" OPT_TIMEOUT=120
      boot_logged "$log" "$board" "$chain"
      status=$?
      check_fault_log "$log" "$status" "$kind" "$function"
      record "$arch fault report mm_fault.$fault $board/$chain" $?
    done

    for fault in "double_free|heap: double free of 0x|free_twice" \
                 "write_after_free|heap: object 0x[0-9a-f]+ \\(size 64\\) was written after it was freed|write_after_free"; do
      IFS='|' read -r fault kind function <<<"$fault"
      printf '\n=== %s: fatal ktest heap_fault.%s on %s via %s ===\n' "$arch" "$fault" "$board" "$chain"
      log="$KEEL_ROOT/build/$arch/fault-heap-$fault-$board-$chain.log"
      OPT_CMDLINE="ktest=heap_fault.$fault" OPT_TIMEOUT=120
      boot_logged "$log" "$board" "$chain"
      status=$?
      check_heap_panic_log "$log" "$status" "$kind" "$function"
      record "$arch heap check heap_fault.$fault $board/$chain" $?
    done

    printf '\n=== %s: fatal ktest task_fault.stack_overflow_in_a_task on %s via %s ===\n' \
      "$arch" "$board" "$chain"
    log="$KEEL_ROOT/build/$arch/fault-task-$board-$chain.log"
    OPT_CMDLINE="ktest=task_fault.stack_overflow_in_a_task" OPT_TIMEOUT=120
    boot_logged "$log" "$board" "$chain"
    status=$?
    check_task_fault_log "$log" "$status"
    record "$arch fault report task_fault.stack_overflow_in_a_task $board/$chain" $?

    printf '\n=== %s: console input by interrupt on %s via %s ===\n' "$arch" "$board" "$chain"
    log="$KEEL_ROOT/build/$arch/console-input-$board-$chain.log"
    run_console_input_test "$board" "$chain" "$log"
    record "$arch console input by interrupt $board/$chain" $?
  done
}

# The trusted computing base (scripts/tcb.py): prints its summary line; fails when an unsafe
# construct of the framework has no SAFETY comment or the safe-subset gate's corpus failed.
# The corpus runs in the x86_64 build tree, built here if no earlier stage built it.
test_tcb() {
  printf '\n=== tcb: SAFETY comments and the gate corpus ===\n'
  if [ ! -f "$KEEL_ROOT/build/x86_64/build.ninja" ] && ! build_arch x86_64; then
    record "tcb (x86_64 build)" 1
    return
  fi
  local log="$KEEL_ROOT/build/tcb.log" status line
  # The counter's own rules first: a miscounting tcb.py would make the numbers below lie.
  python3 "$KEEL_ROOT/scripts/tcb.py" --self-test | tail -n 1
  record "tcb.py counts unsafe constructs and SAFETY comments by its rules (--self-test)" \
    "${PIPESTATUS[0]}"
  python3 "$KEEL_ROOT/scripts/tcb.py" >"$log" 2>&1
  status=$?
  STAGE_LOG=$log
  tail -n 1 "$log"
  if [ $status -ne 0 ]; then
    while read -r line; do
      fail_because "no SAFETY comment: $line"
    done < <(sed -n '/^without a SAFETY comment/,$p' "$log" | sed -n 's/^  \(framework\/.*\)$/\1/p')
    ! grep -q '^gate corpus failed' "$log" ||
      fail_because "the safe-subset gate's corpus failed (see $log)"
  fi
  record "tcb: every unsafe framework construct has a SAFETY comment, the gate corpus passes" \
    "$status"
}

run_test_suite() {
  if [ "${TEST_HOST:-1}" = 1 ]; then
    test_format
    test_host
  fi
  local arch
  for arch in "$@"; do
    test_arch "$arch"
  done
  # After the arches, so that x86_64's build (the gate corpus's tree) is normally there.
  [ $# -eq 0 ] || test_tcb
  local f i
  for i in "${!TEST_FAILURES[@]}"; do
    report_failed_log "${TEST_FAILURES[$i]}" "${TEST_FAILURE_LOGS[$i]}"
  done
  printf '\n=== summary ===\n'
  for f in "${TEST_FAILURES[@]}"; do
    printf 'failed: %s\n' "$f"
  done
  printf 'keel: %d passed, %d failed\n' "$TEST_PASSED" "$TEST_FAILED"
  [ "$TEST_FAILED" -eq 0 ]
}

format_tree() {
  local files
  mapfile -t files < <(cd "$KEEL_ROOT" && git ls-files -co --exclude-standard \
    'framework/*.h' 'framework/*.cc' 'services/*.h' 'services/*.cc' 'drivers/*.h' 'drivers/*.cc' \
    'tests/*.h' 'tests/*.cc' 'tools/*.h' 'tools/*.cc' | grep -v '^tests/gate/bad_' | sort -u |
    while read -r f; do [ -f "$KEEL_ROOT/$f" ] && echo "$f"; done)
  [ ${#files[@]} -gt 0 ] || return 0
  if [ "${1:-}" = "--check" ]; then
    (cd "$KEEL_ROOT" && clang-format-16 --dry-run --Werror "${files[@]}")
  else
    (cd "$KEEL_ROOT" && clang-format-16 -i "${files[@]}")
  fi
}
