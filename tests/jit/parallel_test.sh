#!/usr/bin/env bash
# Parallel compilation of the baseline tier (src/jit/compiler.cc, chunks on the compilation
# pool): a module of several chunks compiles to the same artifact, byte for byte (code, function
# table, sites, extern slots), on one thread (-W parallel-compilation=n) and on the pool, and it
# really is several chunks on two threads (compiled/bench/* run such artifacts). The module is
# big_module.py's, above the size below which a module is one chunk (kParallelMinBytes).
# usage: parallel_test.sh STRATA
set -euo pipefail
strata=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
module=$tmp/big.wat
python3 "$(dirname "$0")/big_module.py" "$module"
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
# A smaller module (about 48 KiB of code section) is one chunk, on the calling thread alone.
python3 "$(dirname "$0")/big_module.py" "$tmp/small.wat" 300
STRATA_JIT_VERBOSE=1 "$strata" compile --tier baseline -o "$tmp/small.cwasm" "$tmp/small.wat" 2>"$tmp/small.err"
grep -q "on 1 threads (1 chunks)" "$tmp/small.err" || { echo "FAIL: small module: $(cat "$tmp/small.err")"; exit 1; }
# The module itself runs, and gives the same result compiled on either side.
r1=$("$strata" run --allow-precompiled --invoke run "$tmp/1.cwasm")
r2=$("$strata" run --tier interp --invoke run "$module")
[ "$r1" = "$r2" ] || { echo "FAIL: baseline gives $r1, interp $r2"; exit 1; }
echo "PASS: $chunks chunks, $(stat -c %s "$tmp/1.cwasm") bytes identical on 1 and 2 threads, run gives $r1"
