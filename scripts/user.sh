# Keel's user-space tests (tests/user/): static Linux C programs built with Debian's gcc and glibc,
# packed into cpio newc initramfs archives, and run on the host under qemu-user so that they encode
# Linux's behaviour. Sourced by ./keel after lib.sh; expects KEEL_ROOT.
#
#   build_user_tests ARCH   build/user/ARCH/root/ (/init, /hello, /hello-pie, /hello-clang,
#                           /tests/...),
#                           build/user/ARCH/tests.cpio (everything, init = /init) and
#                           build/user/ARCH/hello.cpio (/hello, /hello-pie, /hello-clang)
#   test_user_qemu ARCH     runs root/init under qemu-ARCH-static; log in build/user/ARCH/qemu-user.log

# The tests init runs from /tests, in its order (tests/user/init.c holds the same list).
USER_TESTS=(argv_envp_auxv brk_mmap bad_pointers faults fork_exec_wait cow tls_errno fp_preserved
  files)
USER_CFLAGS=(-std=gnu11 -O2 -Wall -Wextra -Werror)

user_compiler() {
  case "$1" in
    x86_64) echo gcc ;;
    riscv64) echo riscv64-linux-gnu-gcc ;;
    aarch64) echo aarch64-linux-gnu-gcc ;;
    *) return 1 ;;
  esac
}

# A second, unrelated toolchain for /hello-clang: LLVM's clang with glibc from the same Debian
# cross packages, linked by lld, whose segment layout differs from GNU ld's (lld cannot link
# glibc's riscv64 objects, which need linker relaxation: GNU ld links there).
user_clang_command() {
  case "$1" in
    x86_64) echo "clang-16 --target=x86_64-linux-gnu -fuse-ld=lld" ;;
    riscv64) echo "clang-16 --target=riscv64-linux-gnu -fuse-ld=bfd" ;;
    aarch64) echo "clang-16 --target=aarch64-linux-gnu -fuse-ld=lld" ;;
    *) return 1 ;;
  esac
}

# Does this compiler link -static-pie? (glibc 2.36 for riscv64 ships no rcrt1.o.)
user_has_static_pie() {
  local crt
  crt=$("$1" -print-file-name=rcrt1.o)
  [ "${crt#/}" != "$crt" ] && [ -f "$crt" ]
}

# user_program CC OUT SRC FLAGS...: compiles tests/user/SRC into OUT unless OUT is newer than
# SRC, check.h and this script (which holds the flags). Quiet unless the compiler complains.
user_program() {
  local cc=$1 out=$2 src=$KEEL_ROOT/tests/user/$3 dep
  shift 3
  if [ -f "$out" ]; then
    local stale=0
    for dep in "$src" "$KEEL_ROOT/tests/user/check.h" "$KEEL_ROOT/scripts/user.sh"; do
      [ "$dep" -nt "$out" ] && stale=1
    done
    [ $stale = 0 ] && return 0
  fi
  mkdir -p "$(dirname "$out")"
  # shellcheck disable=SC2086 # cc may be a command with its options
  $cc "${USER_CFLAGS[@]}" "$@" -o "$out.tmp" "$src" -lm && mv -f "$out.tmp" "$out"
}

# user_cpio DIR OUT FILES...: a newc archive of FILES (relative to DIR, stored without a leading
# "./"), owned by root; remade only when a file is newer than OUT.
user_cpio() {
  local dir=$1 out=$2
  shift 2
  if [ -f "$out" ] && [ -z "$(cd "$dir" && find "$@" -newer "$out" -print -quit)" ]; then
    return 0
  fi
  (cd "$dir" && find "$@" | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --reproducible --quiet) >"$out.tmp" && mv -f "$out.tmp" "$out"
}

build_user_tests() {
  local arch=$1 cc out=$KEEL_ROOT/build/user/$1 t pie=1 init_flags=()
  cc=$(user_compiler "$arch") || fail_because "no user compiler for $arch"
  local root=$out/root
  mkdir -p "$root/tests/helpers" "$root/tests/data"
  if ! user_has_static_pie "$cc"; then
    pie=0
    init_flags=(-DKEEL_NO_STATIC_PIE="\"$cc links no -static-pie: its glibc has no rcrt1.o\"")
  fi
  user_program "$cc" "$root/init" init.c -static "${init_flags[@]}" || return 1
  user_program "$cc" "$root/hello" hello.c -static || return 1
  user_program "$(user_clang_command "$arch")" "$root/hello-clang" hello.c -static || return 1
  for t in "${USER_TESTS[@]}"; do
    user_program "$cc" "$root/tests/$t" "$t.c" -static || return 1
  done
  user_program "$cc" "$root/tests/helpers/exit_with" exit_with.c -static || return 1
  local hello_files=(hello hello-clang)
  if [ $pie = 1 ]; then
    user_program "$cc" "$root/hello-pie" hello.c -static-pie || return 1
    user_program "$cc" "$root/tests/argv_envp_auxv_pie" argv_envp_auxv.c -static-pie -DKEEL_PIE=1 ||
      return 1
    hello_files+=(hello-pie)
  fi
  # Executable, so that execve of it is ENOEXEC (not EACCES) on Linux.
  if [ "$KEEL_ROOT/tests/user/data/not_elf.txt" -nt "$root/tests/data/not_elf.txt" ]; then
    install -m 0755 "$KEEL_ROOT/tests/user/data/not_elf.txt" "$root/tests/data/not_elf.txt" || return 1
  fi
  # files: a known file and a relative symbolic link to it.
  if [ "$KEEL_ROOT/tests/user/data/digits.txt" -nt "$root/tests/data/digits.txt" ]; then
    install -m 0644 "$KEEL_ROOT/tests/user/data/digits.txt" "$root/tests/data/digits.txt" || return 1
  fi
  ln -sfn digits.txt "$root/tests/data/digits.link" || return 1
  user_cpio "$root" "$out/tests.cpio" init "${hello_files[@]}" tests || return 1
  user_cpio "$root" "$out/hello.cpio" "${hello_files[@]}"
}

# How many "user: PASS/FAIL" lines init prints for ARCH: the tests, hello, hello-clang, the
# -static-pie copy of argv_envp_auxv and hello-pie (the last two only where -static-pie links).
user_test_count() {
  local n=$(( ${#USER_TESTS[@]} + 2 ))
  user_has_static_pie "$(user_compiler "$1")" && n=$((n + 2))
  echo "$n"
}

# Checks a test init's log: it ended with status 0 and "user: N passed, 0 failed", N being
# every test of ARCH, and /hello spoke.
check_user_log() {
  local log=$1 status=$2 arch=$3 line expected
  expected=$(user_test_count "$arch")
  line=$(grep -aE '^user: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 | tr -d '\r')
  [ "$status" -eq 0 ] || fail_because "the test init ended with status $status"
  [[ "$line" =~ ^user:\ ([0-9]+)\ passed,\ 0\ failed$ ]] || {
    fail_because "no 'user: N passed, 0 failed' line"
    return 1
  }
  [ "${BASH_REMATCH[1]}" -eq "$expected" ] ||
    fail_because "${BASH_REMATCH[1]} user tests passed, expected $expected"
  grep -aq "^hello from $arch" "$log" ||
    fail_because "/hello did not say 'hello from $arch'"
}

# Runs init under qemu-user with the host-run variables set: Linux's own answers.
test_user_qemu() {
  local arch=$1 out=$KEEL_ROOT/build/user/$1 qemu status
  qemu=$(command -v "qemu-$arch-static") || fail_because "no qemu-$arch-static"
  # No core files from the tests that crash on purpose (qemu-user writes its own).
  STAGE_LOG=$out/qemu-user.log
  (ulimit -c 0; env -i KEEL_TEST_ROOT="$out/root" KEEL_TEST_EXEC="$qemu" \
    timeout -k 5 600 "$qemu" "$out/root/init") </dev/null 2>&1 | tee "$out/qemu-user.log"
  status=${PIPESTATUS[0]}
  check_user_log "$out/qemu-user.log" "$status" "$arch"
}

# The same tests on Keel: the test initramfs on BOARD/CHAIN with SMP CPUs, /init as PID 1,
# whose exit status becomes QEMU's.
test_user_keel() {
  local arch=$1 board=$2 chain=$3 smp=$4 out=$KEEL_ROOT/build/user/$1 log status
  log="$KEEL_ROOT/build/$arch/user-$board-$chain-smp$smp.log"
  OPT_CMDLINE="" OPT_MEM=256M OPT_SMP=$smp OPT_INITRD="$out/tests.cpio" OPT_DISK= \
    OPT_TIMEOUT=300 OPT_DEBUG=0
  boot_logged "$log" "$board" "$chain"
  status=$?
  OPT_INITRD= OPT_SMP=1
  check_user_log "$log" "$status" "$arch" || return 1
  ! grep -aqE 'panic|kernel fault' "$log" || fail_because "the kernel faulted"
  # An unimplemented call is logged the first time only: bad_pointers makes syscall 1000 twice,
  # and no call is logged twice.
  local unknown
  unknown=$(grep -aoE 'syscall [0-9]+ \([a-z0-9_?]+\) is not implemented' "$log")
  [ "$(grep -c '^syscall 1000 ' <<<"$unknown")" -eq 1 ] ||
    fail_because "syscall 1000 was not logged exactly once"
  [ -z "$(sort <<<"$unknown" | uniq -d)" ] ||
    fail_because "an unimplemented syscall was logged twice"
}

# `./keel run --initrd hello.cpio -- init=/hello` (and the -static-pie build where there is
# one): the program prints and PID 1's exit powers off with status 0.
test_hello_keel() {
  local arch=$1 board=$2 chain=$3 out=$KEEL_ROOT/build/user/$1 log status program
  for program in hello hello-pie hello-clang; do
    [ -e "$out/root/$program" ] || continue
    log="$KEEL_ROOT/build/$arch/$program-$board-$chain.log"
    OPT_CMDLINE="init=/$program" OPT_MEM=256M OPT_SMP=1 OPT_INITRD="$out/hello.cpio" OPT_DISK= \
      OPT_TIMEOUT=120 OPT_DEBUG=0
    boot_logged "$log" "$board" "$chain"
    status=$?
    OPT_INITRD=
    [ "$status" -eq 0 ] || fail_because "init=/$program ended with status $status"
    grep -aq "^hello from $arch" "$log" || fail_because "/$program said nothing"
    grep -aq "init (pid 1) exited with status 0" "$log" || return 1
  done

  # keel.strace: each call with its arguments and result.
  log="$KEEL_ROOT/build/$arch/hello-strace-$board-$chain.log"
  OPT_CMDLINE="init=/hello keel.strace" OPT_INITRD="$out/hello.cpio"
  boot_logged "$log" "$board" "$chain"
  status=$?
  OPT_INITRD=
  [ "$status" -eq 0 ] || return 1
  grep -aqE '\[pid 1\] write\(0x1, 0x[0-9a-f]+, 0x[0-9a-f]+\) = 0x[0-9a-f]+' "$log" &&
    grep -aqE '\[pid 1\] exit_group\(0x0\)' "$log" &&
    grep -aqE '\[pid 1\] [a-z_0-9]+\(.*\) = -1 E[A-Z]+' "$log" ||
    fail_because "keel.strace did not trace write, exit_group and a failed call"

  # A damaged initramfs: refused with a line saying where, no init found, a clean power-off
  # with status 1 (not a panic).
  log="$KEEL_ROOT/build/$arch/damaged-initramfs-$board-$chain.log"
  head -c 1000 "$out/hello.cpio" >"$out/damaged.cpio"
  OPT_CMDLINE="init=/hello" OPT_INITRD="$out/damaged.cpio"
  boot_logged "$log" "$board" "$chain"
  status=$?
  OPT_INITRD=
  [ "$status" -eq 1 ] && grep -aq 'initramfs: damaged archive at byte' "$log" &&
    grep -aq 'init: cannot run the requested init program (ENOENT)' "$log" &&
    ! grep -aq panic "$log" ||
    fail_because "a damaged initramfs was not refused cleanly (status $status)"
}
