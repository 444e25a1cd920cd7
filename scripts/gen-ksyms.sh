#!/usr/bin/env bash
# gen-ksyms.sh NM KERNEL.elf OUT.S: writes the kernel's function symbols as an assembly table
# (format: framework/ksyms.cc) for the second link pass. Names are demangled and shortened to
# the qualified function name (no parameter list) to keep the table small.
set -euo pipefail
nm=$1 elf=$2 out=$3
"$nm" -n --defined-only -C "$elf" | awk '
  BEGIN { n = 0 }  # an unset n would index the first entry as ""
  $2 ~ /^[tTwW]$/ {
    addr = $1; $1 = ""; $2 = ""; name = substr($0, 3)
    gsub(/\(anonymous namespace\)/, "\001", name)  # its "(" is not the parameter list
    p = index(name, "("); if (p > 1) name = substr(name, 1, p - 1)
    gsub(/\001/, "(anonymous namespace)", name)
    gsub(/\\/, "\\\\", name); gsub(/"/, "\\\"", name)
    if (addr == last) next; last = addr
    addrs[n] = addr; names[n] = name; n++
  }
  END {
    print "    .section .ksyms, \"a\""
    print "    .balign 8"
    print "    .globl keel_ksyms"
    print "keel_ksyms:"
    printf "    .quad %d\n", n
    off = 0
    for (i = 0; i < n; i++) { printf "    .quad 0x%s, %d\n", addrs[i], off; off += length(names[i]) + 1 }
    for (i = 0; i < n; i++) printf "    .asciz \"%s\"\n", names[i]
  }' >"$out.tmp"
mv "$out.tmp" "$out"
