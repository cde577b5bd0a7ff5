#!/usr/bin/env bash
# Parallel compilation of the baseline tier (src/jit/compiler.cc, chunks on the compilation
# pool): a module of several chunks compiles to the same artifact, byte for byte (code, function
# table, sites, extern slots), on one thread (-W parallel-compilation=n) and on the pool, and it
# really is several chunks on two threads (compiled/bench/* run such artifacts). The modules are
# big_module.py's: one above kParallelMinBytes (16 KiB chunks), one of mid size (about six
# chunks), and one under kSplitMinBytes (one chunk).
# usage: parallel_test.sh STRATA
set -euo pipefail
strata=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
module=$tmp/big.wat
python3 "$(dirname "$0")/big_module.py" "$module"
# A mid-size module (about 48 KiB of code section, many small functions) is cut into about six
# chunks (kMidChunks): the same checks.
python3 "$(dirname "$0")/big_module.py" "$tmp/mid.wat" 300
for m in big mid; do
  STRATA_JIT_VERBOSE=1 "$strata" compile --tier baseline -W parallel-compilation=n -o "$tmp/$m.1.cwasm" "$tmp/$m.wat" 2>"$tmp/$m.1.err"
  STRATA_JIT_VERBOSE=1 "$strata" compile --tier baseline -o "$tmp/$m.2.cwasm" "$tmp/$m.wat" 2>"$tmp/$m.2.err"
  grep -q "on 1 threads" "$tmp/$m.1.err" || { echo "FAIL: $m: parallel-compilation=n: $(cat "$tmp/$m.1.err")"; exit 1; }
  if [ "$(nproc)" -ge 2 ]; then
    grep -q "on 2 threads" "$tmp/$m.2.err" || { echo "FAIL: $m: not on 2 threads: $(cat "$tmp/$m.2.err")"; exit 1; }
  fi
  n=$(sed -n 's/.*(\([0-9]*\) chunks).*/\1/p' "$tmp/$m.2.err" | tail -1)
  [ "${n:-0}" -ge 2 ] || { echo "FAIL: $m: one chunk only: $(cat "$tmp/$m.2.err")"; exit 1; }
  if ! cmp -s "$tmp/$m.1.cwasm" "$tmp/$m.2.cwasm"; then
    echo "FAIL: $m: the artifact differs between 1 and 2 threads"
    cmp "$tmp/$m.1.cwasm" "$tmp/$m.2.cwasm" | head -5
    exit 1
  fi
  [ $m = big ] && chunks=$n || mid_chunks=$n
done
cp "$tmp/big.1.cwasm" "$tmp/1.cwasm"
# A small module (about 10 KiB of code section, under kSplitMinBytes) is one chunk, on the
# calling thread alone.
python3 "$(dirname "$0")/big_module.py" "$tmp/small.wat" 60
STRATA_JIT_VERBOSE=1 "$strata" compile --tier baseline -o "$tmp/small.cwasm" "$tmp/small.wat" 2>"$tmp/small.err"
grep -q "on 1 threads (1 chunks)" "$tmp/small.err" || { echo "FAIL: small module: $(cat "$tmp/small.err")"; exit 1; }
# The module itself runs, and gives the same result compiled on either side.
r1=$("$strata" run --allow-precompiled --invoke run "$tmp/1.cwasm")
rm=$("$strata" run --allow-precompiled --invoke run "$tmp/mid.2.cwasm")
rmi=$("$strata" run --tier interp --invoke run "$tmp/mid.wat")
[ "$rm" = "$rmi" ] || { echo "FAIL: mid: baseline gives $rm, interp $rmi"; exit 1; }
r2=$("$strata" run --tier interp --invoke run "$module")
[ "$r1" = "$r2" ] || { echo "FAIL: baseline gives $r1, interp $r2"; exit 1; }
echo "PASS: $chunks chunks (mid-size: $mid_chunks), $(stat -c %s "$tmp/1.cwasm") bytes identical on 1 and 2 threads, run gives $r1"
