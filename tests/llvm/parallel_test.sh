#!/usr/bin/env bash
# Parallel compilation (src/llvm/plugin.cc): a module split into several batches compiles to
# the same image on one thread and on two (the objdump listing, every byte of code and every
# offset, is compared), and the batches are really several.
# usage: parallel_test.sh STRATA MODULE.wasm
set -euo pipefail
strata=$1 module=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in 1 2; do
  STRATA_COMPILE_THREADS=$t STRATA_LLVM_VERBOSE=1 "$strata" objdump -d --tier llvm "$module" >"$tmp/$t.txt" 2>"$tmp/$t.err"
done
grep -q "on 2 threads" "$tmp/2.err" || { echo "FAIL: not compiled on 2 threads: $(cat "$tmp/2.err")"; exit 1; }
batches=$(sed -n 's/.*(\([0-9]*\) batches.*/\1/p' "$tmp/2.err" | head -1)
[ "${batches:-0}" -ge 2 ] || { echo "FAIL: one batch only: $(cat "$tmp/2.err")"; exit 1; }
grep -q "(llvm," "$tmp/1.txt" || { echo "FAIL: no llvm code in the listing"; head -20 "$tmp/1.txt"; exit 1; }
if ! cmp -s "$tmp/1.txt" "$tmp/2.txt"; then
  echo "FAIL: the image differs between 1 and 2 threads"
  diff "$tmp/1.txt" "$tmp/2.txt" | head -20
  exit 1
fi
echo "PASS: $batches batches, $(wc -l <"$tmp/1.txt") listing lines identical on 1 and 2 threads"
