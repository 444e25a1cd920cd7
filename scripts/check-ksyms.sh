#!/usr/bin/env bash
# check-ksyms.sh NM PASS1.elf FINAL.elf: the embedded symbol table is only right if the second
# link placed every function exactly where the first did.
set -euo pipefail
nm=$1
a=$("$1" -n --defined-only "$2" | awk '$2 ~ /^[tTwW]$/')
b=$("$1" -n --defined-only "$3" | awk '$2 ~ /^[tTwW]$/')
if [ "$a" != "$b" ]; then
  echo "check-ksyms: function addresses moved between link passes; the symbol table is wrong" >&2
  diff <(echo "$a") <(echo "$b") | head -n 20 >&2
  exit 1
fi
