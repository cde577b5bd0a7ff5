#!/usr/bin/env python3
"""Writes a module of many small functions in the text format, large enough (about 200 KiB of
code section) that the baseline tier compiles it in several chunks (src/jit/compiler.cc
kParallelMinBytes), for tests/jit/parallel_test.sh. Each function is a loop over a br_table of
integer, floating-point and memory work, and calls the function before it, so jump tables, call
slots and extern slots all cross chunk boundaries.
usage: big_module.py OUT.wat [FUNCTIONS]"""
import sys


def function(n):
    callee = f'(call $f{n - 1} (local.get $h) (i32.const {n}))' if n else '(local.get $h)'
    return f'''  (func $f{n} (param $h i64) (param $k i32) (result i64)
    (local $i i32) (local $s i32) (local $d f64)
    (local.set $s (i32.xor (i32.wrap_i64 (local.get $h)) (i32.const {n * 2654435761 % 2**32 - 2**31})))
    (loop $next
      (block $b3 (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 $b3 (i32.and (i32.shr_u (local.get $s) (i32.const {n % 23})) (i32.const 3))))
        (i32.store (i32.and (local.get $s) (i32.const 0xfc))
          (i32.add (i32.load (i32.and (local.get $s) (i32.const 0xfc))) (i32.mul (local.get $s) (i32.const {n + 3}))))
        (br $b3))
        (local.set $s (i32.rotl (local.get $s) (i32.const {n % 31 + 1})))
        (br $b3))
        (local.set $d (f64.add (f64.mul (local.get $d) (f64.const 0.5)) (f64.convert_i32_u (local.get $s))))
        (local.set $s (i32.add (local.get $s) (i32.trunc_sat_f64_u (local.get $d))))
        (br $b3))
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 1664525)) (i32.const {1013904223 + n})))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.add (i32.const {16 + n % 7}) (local.get $k)))))
    (i64.add {callee} (i64.extend_i32_u (local.get $s))))
'''


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1200
    parts = ['(module\n  (memory 1)\n']
    parts += [function(n) for n in range(count)]
    parts.append(f'  (func (export "run") (result i64) (call $f{count - 1} (i64.const 1) (i32.const 0))))\n')
    with open(out, 'w') as f:
        f.write(''.join(parts))


if __name__ == '__main__':
    main()
