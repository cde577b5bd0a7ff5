#!/usr/bin/env bash
# -C target-cpu (Config::target_cpu, src/llvm/emit.cc targetMachine): code for a named CPU uses
# only that CPU's extensions and computes what native code computes; an unknown name and a CPU
# with extensions this host lacks are usage errors, not illegal instructions; native and
# portable code are two entries of the code cache.
# usage: target_cpu_test.sh STRATA
set -euo pipefail
strata=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A SIMD dot product and a scalar loop: code where native x86 on an AVX host uses VEX encodings.
cat >"$tmp/m.wat" <<'EOF'
(module
  (memory 1)
  (func (export "dot") (param $n i32) (result i32)
    (local $i i32) (local $acc v128)
    (loop $fill
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.mul (local.get $i) (i32.const 7)))
      (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $sum
      (local.set $acc (i32x4.add (local.get $acc)
        (i32x4.mul (v128.load (i32.shl (local.get $i) (i32.const 2))) (v128.load (i32.shl (local.get $i) (i32.const 2))))))
      (br_if $sum (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
             (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
EOF
"$strata" wat2wasm "$tmp/m.wat" -o "$tmp/m.wasm"

want=$("$strata" run --tier interp --invoke dot "$tmp/m.wasm" 1000)
for cpu in native portable x86-64; do
  got=$("$strata" run --tier llvm -C target-cpu=$cpu --invoke dot "$tmp/m.wasm" 1000)
  [ "$got" = "$want" ] || fail "target-cpu=$cpu gives $got, the interpreter $want"
done

"$strata" settings -C target-cpu=portable | grep -Eq '^  target-cpu +portable$' || fail "settings does not show target-cpu portable"

# Portable code has no VEX or EVEX instruction (AVX and later); native code has some when the host has AVX.
vex() { objdump -d -j .text "$1" | grep -cE '^\s+[0-9a-f]+:\s.*\s(v[a-z0-9]+)\s' || true; }
"$strata" compile --tier llvm -C target-cpu=portable "$tmp/m.wasm" -o "$tmp/p.cwasm"
"$strata" compile --tier llvm "$tmp/m.wasm" -o "$tmp/n.cwasm"
[ "$(vex "$tmp/p.cwasm")" = 0 ] || fail "portable code has $(vex "$tmp/p.cwasm") AVX instructions"
if grep -qw avx /proc/cpuinfo; then
  [ "$(vex "$tmp/n.cwasm")" -gt 0 ] || fail "native code on an AVX host has no AVX instruction: the check above proves nothing"
fi
got=$("$strata" run --allow-precompiled --tier llvm --invoke dot "$tmp/p.cwasm" 1000)
[ "$got" = "$want" ] || fail "the portable artifact gives $got, the interpreter $want"

out=$("$strata" run --tier llvm -C target-cpu=bogus --invoke dot "$tmp/m.wasm" 8 2>&1) && fail "an unknown CPU ran"
grep -q "unknown target CPU \`bogus\`" <<<"$out" || fail "unknown CPU: $out"
grep -q "not a recognized processor" <<<"$out" && fail "LLVM's own warning leaked: $out"
if ! grep -qw avx512f /proc/cpuinfo; then
  out=$("$strata" run --tier llvm -C target-cpu=skylake-avx512 --invoke dot "$tmp/m.wasm" 8 2>&1) && fail "code for AVX-512 ran on a host without it"
  grep -q "extensions this host lacks: .*avx512f" <<<"$out" || fail "AVX-512 target: $out"
fi

# The code cache keys entries by the target CPU too.
for cpu in native portable native; do
  "$strata" run --tier llvm -C cache-dir="$tmp/cache",target-cpu=$cpu --invoke dot "$tmp/m.wasm" 1000 >/dev/null
done
entries=$(find "$tmp/cache" -type f -name '*.cwasm' | wc -l)
[ "$entries" = 2 ] || fail "the cache holds $entries artifacts for native, portable, native (want 2): $(find "$tmp/cache" -type f)"
echo "PASS: target-cpu native, portable and x86-64 agree with the interpreter; portable code has no AVX"
