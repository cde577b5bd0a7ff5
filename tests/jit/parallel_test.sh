#!/usr/bin/env bash
# Parallel compilation of the baseline tier (src/jit/compiler.cc, chunks on the compilation
# pool): a module of several chunks compiles to the same artifact, byte for byte (code, function
# table, sites, extern slots), on one thread (-W parallel-compilation=n) and on the pool, and it
# really is several chunks on two threads (compiled/bench/* run such artifacts).
# usage: parallel_test.sh STRATA MODULE.wasm
set -euo pipefail
strata=$1 module=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
STRATA_JIT_VERBOSE=1 "$strata" compile --tier baseline -W parallel-compilation=n -o "$tmp/1.cwasm" "$module" 2>"$tmp/1.err"
STRATA_JIT_VERBOSE=1 "$strata" compile --tier baseline -o "$tmp/2.cwasm" "$module" 2>"$tmp/2.err"
grep -q "on 1 threads" "$tmp/1.err" || { echo "FAIL: parallel-compilation=n: $(cat "$tmp/1.err")"; exit 1; }
if [ "$(nproc)" -ge 2 ]; then
  grep -q "on 2 threads" "$tmp/2.err" || { echo "FAIL: not on 2 threads: $(cat "$tmp/2.err")"; exit 1; }
fi
chunks=$(sed -n 's/.*(\([0-9]*\) chunks).*/\1/p' "$tmp/2.err" | tail -1)
[ "${chunks:-0}" -ge 2 ] || { echo "FAIL: one chunk only: $(cat "$tmp/2.err")"; exit 1; }
if ! cmp -s "$tmp/1.cwasm" "$tmp/2.cwasm"; then
  echo "FAIL: the artifact differs between 1 and 2 threads"
  cmp "$tmp/1.cwasm" "$tmp/2.cwasm" | head -5
  exit 1
fi
echo "PASS: $chunks chunks, $(stat -c %s "$tmp/1.cwasm") bytes identical on 1 and 2 threads"
