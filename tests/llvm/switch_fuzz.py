#!/usr/bin/env python3
"""Random switches that pick constants (src/llvm/switch_table.cc), interp against llvm.

Each module (one per seed) has one function that maps its argument into a br_table of 16 to 159
slots, some of which go to the default (0 to 7 holes: more than 4 are left to LLVM), cases
that set one to three locals of random types to random constants, and a default that skips
the join (storing to memory), joins with constants or joins with computed values. The argument
is reduced so that most calls land in or near the case range. strata_difftest calls it on
both tiers and compares; with --dump-check the llvm tier's IR is also searched for the tables,
so that a test run proves the pass took most of the modules.

Usage: switch_fuzz.py STRATA_DIFFTEST [--count N] [--first SEED] [--calls N]
Prints one line per disagreement, then "agree=A tabulated=T of N"; exits 1 on any
disagreement (or when no module was tabulated).
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile


def const(r, t):
    if t == 'i32':
        return f'(i32.const {r.randrange(-2**31, 2**31)})'
    if t == 'i64':
        return f'(i64.const {r.randrange(-2**63, 2**63)})'
    return f'({t}.const {r.randrange(-10**6, 10**6) / 4})'


def computed(k, t):
    """A value of type t from $x, for a default that joins the cases with values of its own."""
    if t == 'i32':
        return f'(local.set $v{k} (i32.mul (local.get $x) (i32.const 7)))'
    if t == 'i64':
        return f'(local.set $v{k} (i64.mul (i64.extend_i32_s (local.get $x)) (i64.const 7)))'
    return f'(local.set $v{k} ({t}.convert_i32_s (local.get $x)))'


def module(seed):
    r = random.Random(seed)
    n = r.randrange(16, 160)
    holes = set(r.sample(range(n), r.choice([0, 0, 1, 2, 3, 4, 5, 7])))
    offset = r.randrange(-50, 50)
    types = [r.choice(['i32', 'i64', 'f32', 'f64']) for _ in range(r.choice([1, 1, 2, 3]))]
    default = r.choice(['skip', 'join_const', 'join_computed'])
    locals_ = ''.join(f' (local $v{k} {t})' for k, t in enumerate(types))
    lines = ['(module (memory 1)',
             f'  (func (export "f") (param $a i32) (result i32){locals_} (local $x i32)',
             f'    (local.set $x (i32.sub (i32.rem_u (local.get $a) (i32.const {n + 8})) (i32.const {4 - offset})))',
             '    (block $out', '      (block $dflt']
    cases = [i for i in range(n) if i not in holes]
    lines += [f'        (block $c{i}' for i in reversed(cases)]
    labels = ' '.join('$dflt' if i in holes else f'$c{i}' for i in range(n))
    lines.append(f'          (br_table {labels} $dflt (i32.add (local.get $x) (i32.const {offset}))))')
    for i in cases:
        sets = ' '.join(f'(local.set $v{k} {const(r, t)})' for k, t in enumerate(types))
        lines.append(f'        {sets} (br $out))')
    if default == 'skip':
        lines.append('      (i32.store (i32.const 64) (local.get $x)) (return (i32.const -99)))')
    elif default == 'join_const':
        lines.append('      ' + ' '.join(f'(local.set $v{k} {const(r, t)})' for k, t in enumerate(types)) + ')')
    else:
        lines.append('      ' + ' '.join(computed(k, t) for k, t in enumerate(types)) + ')')
    acc = '(i32.const 0)'
    for k, t in enumerate(types):
        if t == 'i32':
            v = f'(local.get $v{k})'
        elif t == 'i64':
            v = f'(i32.wrap_i64 (i64.xor (local.get $v{k}) (i64.shr_u (local.get $v{k}) (i64.const 32))))'
        else:
            v = f'(i32.trunc_sat_{t}_s (local.get $v{k}))'
        acc = f'(i32.add (i32.mul {acc} (i32.const 31)) {v})'
    lines += [f'    {acc})', ')']
    return '\n'.join(lines) + '\n'


def main():
    p = argparse.ArgumentParser()
    p.add_argument('difftest')
    p.add_argument('--count', type=int, default=40)
    p.add_argument('--first', type=int, default=1)
    p.add_argument('--calls', type=int, default=300)
    args = p.parse_args()
    agree = tabulated = 0
    with tempfile.TemporaryDirectory() as work:
        for seed in range(args.first, args.first + args.count):
            wat = os.path.join(work, f'switch{seed}.wat')
            with open(wat, 'w') as f:
                f.write(module(seed))
            dump = os.path.join(work, 'ir.ll')
            env = dict(os.environ, STRATA_LLVM_DUMP=dump)
            run = subprocess.run([args.difftest, wat, '--tiers', 'interp,llvm', '--calls', str(args.calls),
                                  '--seed', str(seed)], capture_output=True, text=True, env=env)
            if run.returncode == 0:
                agree += 1
            else:
                tail = (run.stdout + run.stderr).strip().splitlines()[-2:]
                print(f'seed {seed}: exit {run.returncode}: {" / ".join(tail)}')
            if os.path.exists(dump):
                with open(dump) as f:
                    if any(line.startswith('@strata.switch') for line in f):
                        tabulated += 1
    print(f'agree={agree} tabulated={tabulated} of {args.count}')
    sys.exit(0 if agree == args.count and tabulated > 0 else 1)


if __name__ == '__main__':
    main()
