#!/usr/bin/env python3
"""Differential fuzzing of exception handling and GC across tiers (docs/exceptions.md).

    python3 scripts/fuzz_eh.py --count 500 --seed 1                  # interp against baseline and llvm
    python3 scripts/fuzz_eh.py --time 600 --out build/eh-mismatches

binaryen's translate-to-fuzz (scripts/fuzz_diff.py) makes no exception-handling or GC
instructions, so this generator writes its own random modules in the text format: functions
that call each other (an acyclic graph, directly and through a table), with try_table clauses
of every kind, the legacy try/catch/catch_all/delegate/rethrow, tail calls out of try bodies
(direct and through the table), throws of tags with i32, i64
and struct payloads, throw_ref, struct and array allocations and updates (array bounds traps
included), i31, ref.test and br_on_cast over anyref, all mixed with plain arithmetic on locals. Every module is valid by construction. strata_difftest runs each on the
reference tier and every other tier and compares results, traps (uncaught exceptions name their
tag), backtraces (--frames) and fuel; a mismatching module is saved in --out with how to rerun it.

Exit status 1 when any module mismatched or crashed the tester; 0 otherwise.
"""
import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TAGS = ['(tag $t0)', '(tag $t1 (param i32))', '(tag $t2 (param i32 i64))', '(tag $t3 (param (ref null $box)))']


def shifted(labels, catches, k):
    """The label depths seen from k labels deeper."""
    return [l + k for l in labels], [c + k for c in catches]


class Gen:
    def __init__(self, rng, nfuncs):
        self.r = rng
        self.nfuncs = nfuncs

    def expr(self):
        r = self.r
        k = r.randrange(6)
        if k == 0:
            return f'(i32.const {r.randrange(-50, 50)})'
        if k == 1:
            return '(local.get $p)'
        if k == 2:
            return f'(i32.add (local.get $a) (i32.const {r.randrange(1, 9)}))'
        if k == 3:
            return '(i32.wrap_i64 (local.get $b))'
        if k == 4:
            return '(if (result i32) (ref.is_null (local.get $x)) (then (i32.const 3)) (else (struct.get $box 0 (local.get $x))))'
        if k == 5 and r.randrange(2):
            # an element of the array, if any (the index taken modulo its length)
            return ('(if (result i32) (ref.is_null (local.get $y)) (then (i32.const 5)) (else '
                    '(if (result i32) (i32.eqz (array.len (local.get $y))) (then (i32.const 6)) (else '
                    '(array.get $arr (local.get $y) (i32.rem_u (local.get $a) (array.len (local.get $y))))))))')
        return f'(i32.mul (local.get $a) (i32.const {r.randrange(2, 5)}))'

    def throw(self):
        r = self.r
        k = r.randrange(5)
        if k == 0:
            return '(throw $t0)'
        if k == 1:
            return f'(throw $t1 {self.expr()})'
        if k == 2:
            return f'(throw $t2 {self.expr()} (i64.extend_i32_s {self.expr()}))'
        if k == 3:
            return f'(throw $t3 (struct.new $box {self.expr()}))'
        return '(if (i32.eqz (ref.is_null (local.get $ex))) (then (throw_ref (local.get $ex))))'

    def stmts(self, fn, depth, labels, catches, n=None):
        n = self.r.randrange(1, 4) if n is None else n
        return ' '.join(self.stmt(fn, depth, labels, catches) for _ in range(n))

    def stmt(self, fn, depth, labels, catches):
        """labels: block labels open (for br out); catches: depths of open legacy catch bodies
        (for rethrow), as counts of labels from the innermost."""
        r = self.r
        choices = ['set', 'set', 'box', 'held', 'if', 'throw']
        if fn + 1 < self.nfuncs:
            choices += ['call', 'call', 'call_indirect', 'tail']
        if depth < 4:
            choices += ['try_table', 'try_table', 'try', 'try', 'delegate']
        if catches:
            choices += ['rethrow']
        if labels:
            choices += ['br_if']
        k = r.choice(choices)
        if k == 'set':
            return f'(local.set $a (i32.add (local.get $a) {self.expr()}))'
        if k == 'box':
            c = r.randrange(6)
            if c == 0:
                return f'(local.set $x (struct.new $box {self.expr()}))'
            if c == 1:
                return f'(if (i32.eqz (ref.is_null (local.get $x))) (then (struct.set $box 0 (local.get $x) {self.expr()})))'
            if c == 2:
                return f'(local.set $y (array.new $arr {self.expr()} (i32.and {self.expr()} (i32.const 15))))'
            if c == 3:  # may be out of bounds: a trap every tier must report alike
                return (f'(if (i32.eqz (ref.is_null (local.get $y))) (then (array.set $arr (local.get $y) '
                        f'(i32.and (local.get $a) (i32.const 15)) {self.expr()})))')
            if c == 4:  # anyref holding a struct, an array or an i31, then tested and cast back
                v = r.choice(['(local.get $x)', '(local.get $y)', f'(ref.i31 {self.expr()})'])
                return (f'(local.set $any {v}) (local.set $a (i32.add (local.get $a) '
                        f'(i32.add (ref.test (ref $box) (local.get $any)) (i32.shl (ref.test (ref i31) (local.get $any)) (i32.const 1)))))')
            return ('(local.set $a (i32.add (local.get $a) (block $nb (result i32) '
                    '(drop (block $isb (result (ref $box)) (br_on_cast $isb anyref (ref $box) (local.get $any)) '
                    '(br $nb (i32.const 11)))) (i32.const 13))))')
        if k == 'held':
            # A box held on the operand stack (the result of a block under way) while the
            # function allocates and calls a later function, which allocates too: with
            # STRATA_GC_STRESS every allocation collects, so a tier whose stack map missed the
            # operand slot would read a freed, zeroed box (docs/gc.md "Testing the roots").
            call = ''
            if fn + 1 < self.nfuncs and r.randrange(4) == 0:  # rarely: calls multiply along the call graph
                g = r.randrange(fn + 1, self.nfuncs)
                call = f'(local.set $a (i32.add (local.get $a) (call $f{g} (i32.add (local.get $p) (i32.const 1)))))'
            return (f'(local.set $a (i32.add (local.get $a) (struct.get $box 0 (block (result (ref $box)) '
                    f'(struct.new $box {self.expr()}) '
                    f'(drop (array.new $arr (i32.const 7) (i32.and {self.expr()} (i32.const 15)))) {call}))))')
        if k == 'if':
            inner, ic = shifted(labels, catches, 1)
            return (f'(if (i32.and (local.get $p) (i32.const {1 << r.randrange(4)})) '
                    f'(then {self.stmts(fn, depth + 1, inner, ic)}) (else {self.stmts(fn, depth + 1, inner, ic)}))')
        if k == 'throw':
            return f'(if (i32.eq (i32.and (local.get $p) (i32.const 7)) (i32.const {r.randrange(8)})) (then {self.throw()}))'
        if k == 'call':
            g = r.randrange(fn + 1, self.nfuncs)
            return f'(local.set $a (i32.add (local.get $a) (call $f{g} (i32.add (local.get $p) (i32.const {r.randrange(1, 4)})))))'
        if k == 'call_indirect':
            g = r.randrange(fn + 1, self.nfuncs)
            return (f'(local.set $a (i32.xor (local.get $a) (call_indirect (type $ft) '
                    f'(i32.sub (local.get $p) (i32.const 1)) (i32.const {g}))))')
        if k == 'tail':  # a tail call leaves every try around it (spec 4.4.x return_call)
            g = r.randrange(fn + 1, self.nfuncs)
            call = (f'(return_call $f{g} (i32.add (local.get $p) (i32.const 1)))' if r.randrange(2) else
                    f'(return_call_indirect (type $ft) (i32.add (local.get $p) (i32.const 2)) (i32.const {g}))')
            return f'(if (i32.eq (i32.and (local.get $p) (i32.const 3)) (i32.const {r.randrange(4)})) (then {call}))'
        if k == 'br_if':
            return f'(br_if {r.choice(labels)} (i32.eq (local.get $a) (i32.const {r.randrange(-3, 3)})))'
        if k == 'rethrow':
            # the `if` is one more label between the rethrow and the catch body
            return f'(if (i32.and (local.get $a) (i32.const 1)) (then (rethrow {r.choice(catches) + 1})))'
        if k == 'try_table':
            return self.try_table(fn, depth, labels, catches)
        if k == 'try':
            inner, ic = shifted(labels, catches, 1)
            body = self.stmts(fn, depth + 1, inner, ic)
            parts = [f'(try (do {body})']
            clauses = r.sample(['t0', 't1', 't2', 't3', 'all'], r.randrange(1, 4))
            if 'all' in clauses:
                clauses.remove('all')
                clauses.append('all')  # catch_all comes last
            for c in clauses:
                ic2 = [0] + ic  # the catch body itself is label 0 for rethrow
                use = {'t0': '', 't1': '(local.set $a (i32.add (local.get $a)))',
                       't2': '(local.set $b (i64.add (local.get $b))) (local.set $a (i32.xor (local.get $a)))',
                       't3': '(local.set $x)', 'all': ''}[c]
                head = '(catch_all' if c == 'all' else f'(catch ${c}'
                parts.append(f'{head} {use} {self.stmts(fn, depth + 1, inner, ic2, r.randrange(0, 3))})')
            return ' '.join(parts) + ')'
        # delegate: to a label around (0 = the block just outside, up to the function's)
        inner, ic = shifted(labels, catches, 1)
        body = self.stmts(fn, depth + 1, inner, ic)
        return f'(try (do {body}) (delegate {r.randrange(0, len(labels) + 1)}))'

    def try_table(self, fn, depth, labels, catches):
        r = self.r
        # $done, $h0 (no values), $h1 (i32), $h2 (i32 i64), $hr (exnref), $h3 ((ref null $box))
        clause_pool = ['(catch $t0 $h0)', '(catch $t1 $h1)', '(catch $t2 $h2)', '(catch_ref $t0 $hr)',
                       '(catch $t3 $h3)', '(catch_all $h0)', '(catch_all_ref $hr)']
        clauses = ' '.join(r.sample(clause_pool, r.randrange(0, 4)))
        # Labels inside the try_table body: 6 blocks plus the try_table itself.
        inner, ic = shifted(labels, catches, 7)
        inner.append(6)
        body = self.stmts(fn, depth + 1, inner, ic)
        rethrow = '(throw_ref (local.get $ex))' if r.randrange(3) == 0 else ''
        return (f'(block $done (block $h0 (block $h1 (result i32) (block $h2 (result i32 i64) '
                f'(block $hr (result exnref) (block $h3 (result (ref null $box)) '
                f'(try_table {clauses} {body}) (br $done)) '
                f'(local.set $x) (br $done)) '
                f'(local.set $ex) (local.set $a (i32.add (local.get $a) (i32.const 1000))) '
                f'(if (i32.and (local.get $p) (i32.const 8)) (then {rethrow})) (br $done)) '
                f'(local.set $b) (local.set $a (i32.xor (local.get $a))) (br $done)) '
                f'(local.set $a (i32.add (local.get $a))) (br $done)) '
                f'(local.set $a (i32.add (local.get $a) (i32.const 7))))')

    def module(self):
        funcs = []
        for i in range(self.nfuncs):
            body = self.stmts(i, 0, [], [], self.r.randrange(2, 6))
            funcs.append(f'(func $f{i} (export "f{i}") (type $ft) (param $p i32) (result i32) '
                         f'(local $a i32) (local $b i64) (local $x (ref null $box)) (local $ex exnref) '
                         f'(local $y (ref null $arr)) (local $any anyref) '
                         f'(local.set $a (local.get $p)) {body} '
                         f'(i32.add (local.get $a) (i32.wrap_i64 (local.get $b))))')
        elems = ' '.join(f'$f{i}' for i in range(self.nfuncs))
        return ('(module (type $box (struct (field (mut i32)))) (type $arr (array (mut i32))) '
                '(type $ft (func (param i32) (result i32))) '
                + ' '.join(TAGS) + f' (table {self.nfuncs} funcref) (elem (i32.const 0) func {elems}) '
                + ' '.join(funcs) + ')')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--count', type=int, default=100)
    p.add_argument('--time', type=float, default=0, help='stop starting modules after this many seconds')
    p.add_argument('--seed', type=int, default=int(time.time()))
    p.add_argument('--tiers', default=None, help='comma-separated, the first the reference (default: every tier)')
    p.add_argument('--out', default=None)
    p.add_argument('--difftest', default=str(REPO / 'build/release/tests/diff/strata_difftest'))
    args = p.parse_args()
    listed = subprocess.run([args.difftest, '--list-tiers'], capture_output=True, text=True).stdout.split()
    tiers = args.tiers.split(',') if args.tiers else ['interp'] + [t for t in listed if t != 'interp']
    pairs = [f'{tiers[0]},{t}' for t in tiers[1:]]
    work = Path(args.out or '/tmp') / 'fuzz_eh_work'
    work.mkdir(parents=True, exist_ok=True)
    start, n, bad, calls = time.time(), 0, 0, 0
    print(f'tiers {tiers}, seeds from {args.seed}', flush=True)
    while (n < args.count) if not args.time else (time.time() - start < args.time):
        seed = args.seed + n
        wat = Gen(random.Random(seed), random.Random(seed).randrange(2, 7)).module()
        f = work / f'm{seed % 4}.wat'
        f.write_text(wat)
        for pair in pairs:
            try:
                r = subprocess.run([args.difftest, str(f), '--tiers', pair, '--calls', '8', '--seed', str(seed),
                                    '--frames', '--fuel', '5000000'], capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired as e:  # fuel bounds every call: a hang is a finding too
                r = subprocess.CompletedProcess(e.cmd, 'timeout', str(e.stdout or ''), 'timed out after 120 s\n')
            if r.returncode != 0:  # 3 (skipped): the generator wrote an invalid module
                bad += 1
                print(f'seed {seed} {pair}: exit {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-2000:]}', flush=True)
                if args.out:
                    d = Path(args.out) / f'seed-{seed}'
                    d.mkdir(parents=True, exist_ok=True)
                    (d / 'module.wat').write_text(wat)
                    (d / 'difftest.txt').write_text(r.stdout + r.stderr)
                    (d / 'repro.sh').write_text(f'#!/bin/sh\n{args.difftest} module.wat --tiers {pair} --calls 8 '
                                                f'--seed {seed} --frames --fuel 5000000 -v\n')
        n += 1
    print(f'modules: {n}, tier pairs compared: {n * len(pairs)}, mismatches: {bad}, elapsed: {time.time() - start:.0f} s')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
