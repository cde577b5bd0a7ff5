#!/usr/bin/env python3
"""Differential fuzzing across tiers: random valid modules from binaryen, run on two tiers.

    python3 scripts/fuzz_diff.py --time 3600 -j 2 --out build/diff-mismatches   # an hour
    python3 scripts/fuzz_diff.py --seed 1 --count 40                            # CTest diff/quick

Each module: seeded random bytes -> `wasm-opt -ttf` (binaryen's translate-to-fuzz, with the
features Strata's interpreter executes) -> strata_difftest, which runs it on both tiers and
compares every export's results or trap, the logged host calls and the final memory (README
"Differential fuzzing"). Module i uses seed S+i for its bytes and its argument values, so
`--seed S+i --count 1` reproduces it. A mismatching module is saved in --out as
seed-N/{input.dat,module.wasm,difftest.txt,repro.sh}.

Features: binaryen 108 (Debian 12) writes reference types in their pre-standard form (anyref,
funcref <: externref), which a 3.0 validator rejects, so they stay off; relaxed SIMD is
nondeterministic by design; threads are not executed; binaryen's generator writes no
exception-handling or GC instructions (scripts/fuzz_eh.py generates those).

Exit status 1 when any module mismatched, crashed the tester or hung; 0 otherwise.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, FIRST_COMPLETED, wait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FEATURES = "sign-ext,mutable-globals,nontrapping-float-to-int,bulk-memory,multivalue,simd,tail-call"
DIFFTEST_TIMEOUT = 300  # seconds per module, both tiers (each call is bounded by fuel and a watchdog)
PROGRESS_EVERY = 300  # seconds between progress lines


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--time", type=float, help="stop starting modules after this many seconds")
    p.add_argument("--count", type=int, help="number of modules (default 100 without --time)")
    p.add_argument("--seed", type=int, default=None, help="first module seed (default: from the clock)")
    p.add_argument("--tiers", default="auto",
                   help="A,B (default auto: interp,baseline when this build has baseline, else interp,interp)")
    p.add_argument("--out", help="folder for mismatching modules (default: not saved)")
    p.add_argument("-j", "--jobs", type=int, default=1)
    p.add_argument("--calls", type=int, default=2, help="calls per export (strata_difftest --calls)")
    p.add_argument("--features", default=DEFAULT_FEATURES, help="binaryen --enable-X flags, comma-separated")
    p.add_argument("--frames", action="store_true", help="also compare trap backtraces")
    p.add_argument("--canonicalize-nans", action="store_true",
                   help="run the tiers with NaN canonicalization and compare NaN payloads exactly")
    p.add_argument("--difftest", default=os.path.join(ROOT, "build/release/tests/diff/strata_difftest"))
    p.add_argument("--wasm-opt", default=shutil.which("wasm-opt") or "/usr/bin/wasm-opt")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per module")
    args = p.parse_args()
    if args.count is None and args.time is None:
        args.count = 100
    if args.seed is None:
        args.seed = int(time.time()) % 1_000_000 * 1000
    return args


def resolve_tiers(args):
    if args.tiers != "auto":
        return args.tiers
    out = subprocess.run([args.difftest, "--list-tiers"], capture_output=True, text=True, check=True).stdout.split()
    return "interp,baseline" if "baseline" in out else "interp,interp"


class Totals:
    def __init__(self):
        self.lock = threading.Lock()
        self.generated = self.compared = self.calls = self.events = 0
        self.mismatches = self.skipped = self.cut = self.gen_failed = self.errors = self.fallback = 0
        self.skip_reasons = {}
        self.fallback_reasons = {}
        self.mismatch_kinds = {}  # compilation, instantiation, event (a call or log), memory, global


def generate(args, seed, work):
    rng = random.Random(seed)
    size = rng.choice([1024, 4096, 16384, 32768])
    data = os.path.join(work, f"{seed}.dat")
    wasm = os.path.join(work, f"{seed}.wasm")
    with open(data, "wb") as f:
        f.write(rng.randbytes(size))
    flags = [f"--enable-{x}" for x in args.features.split(",") if x]
    r = subprocess.run([args.wasm_opt, "-ttf", data, "-o", wasm] + flags, capture_output=True, text=True)
    return (data, wasm) if r.returncode == 0 else (data, None)


def save(args, seed, data, wasm, cmd, text):
    if not args.out:
        return None
    folder = os.path.join(args.out, f"seed-{seed}")
    os.makedirs(folder, exist_ok=True)
    shutil.copy(data, os.path.join(folder, "input.dat"))
    shutil.copy(wasm, os.path.join(folder, "module.wasm"))
    with open(os.path.join(folder, "difftest.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(folder, "repro.sh"), "w") as f:
        f.write("#!/bin/sh\n# wasm-opt features: " + args.features + "\n")
        f.write(" ".join([args.repro_difftest, "module.wasm"] + cmd[2:]) + " -v\n")
    return folder


def one(args, tiers, seed, work, totals):
    data, wasm = generate(args, seed, work)
    with totals.lock:
        totals.generated += 1
    if wasm is None:
        with totals.lock:
            totals.gen_failed += 1
        return f"seed {seed}: wasm-opt failed"
    cmd = [args.difftest, wasm, "--tiers", tiers, "--seed", str(seed), "--calls", str(args.calls)]
    if args.frames:
        cmd.append("--frames")
    if args.canonicalize_nans:
        cmd.append("--canonicalize-nans")
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=DIFFTEST_TIMEOUT)
        code, text = r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        code, text = None, f"timed out after {DIFFTEST_TIMEOUT} s\n{e.stdout or ''}"
    line = f"seed {seed}: "
    with totals.lock:
        if code == 0:
            totals.compared += 1
            if "fallback=" in text:  # a tier handed the module to another: it tested nothing
                totals.fallback += 1
                why = re.search(r'fallback="([^"]*)"', text).group(1)
                totals.fallback_reasons[why] = totals.fallback_reasons.get(why, 0) + 1
            else:
                for m in re.finditer(r"calls=(\d+) events=(\d+)", text):
                    totals.calls += int(m.group(1))
                    totals.events += int(m.group(2))
            totals.cut += "cut=" in text
            line += text.strip().splitlines()[-1]
        elif code == 3:
            totals.skipped += 1
            reason = re.sub(r"0x[0-9a-f]+|\d+", "N", text.strip().splitlines()[-1] if text.strip() else "?")[:120]
            totals.skip_reasons[reason] = totals.skip_reasons.get(reason, 0) + 1
            line += "skipped: " + text.strip()
        elif code == 1:
            totals.mismatches += 1
            m = re.search(r"^  (compilation|instantiation|event|memory|global|different)", text, re.M)
            kind = m.group(1) if m else "other"
            totals.mismatch_kinds[kind] = totals.mismatch_kinds.get(kind, 0) + 1
            line += "MISMATCH\n" + text
        else:
            totals.errors += 1
            line += f"tester failed (exit {code})\n" + text
    if code not in (0, 3):
        folder = save(args, seed, data, wasm, cmd, text)
        if folder:
            line += f"\n  saved in {folder}"
    os.remove(data)
    os.remove(wasm)
    return line


def main():
    args = parse_args()
    for tool in (args.difftest, args.wasm_opt):
        if not os.access(tool, os.X_OK):
            sys.exit(f"fuzz_diff: {tool} not found (build strata_difftest; install binaryen)")
    tiers = resolve_tiers(args)
    print(f"tiers {tiers}, seeds from {args.seed}, features {args.features}", flush=True)
    totals = Totals()
    start = time.monotonic()
    work = tempfile.mkdtemp(prefix="fuzz_diff-")
    # A private copy, so rebuilding the tester during a long run cannot pull it from under us.
    shutil.copy2(args.difftest, os.path.join(work, "strata_difftest"))
    args.repro_difftest, args.difftest = args.difftest, os.path.join(work, "strata_difftest")
    next_seed = args.seed
    started = 0
    last_progress = start

    def more():
        if args.count is not None and started >= args.count:
            return False
        return args.time is None or time.monotonic() - start < args.time

    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            running = set()
            while running or more():
                while more() and len(running) < args.jobs:
                    running.add(pool.submit(one, args, tiers, next_seed, work, totals))
                    next_seed += 1
                    started += 1
                done, running = wait(running, return_when=FIRST_COMPLETED)
                if time.monotonic() - last_progress >= PROGRESS_EVERY:
                    last_progress = time.monotonic()
                    print(f"... {last_progress - start:.0f} s: {totals.compared} modules compared, "
                          f"{totals.calls} calls, {totals.mismatches} mismatches", flush=True)
                for f in done:
                    line = f.result()
                    if args.verbose or "MISMATCH" in line or "tester failed" in line:
                        print(line, flush=True)
                    if "unknown tier" in line:
                        sys.exit(f"fuzz_diff: {line}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - start
    t = totals
    print(f"modules generated: {t.generated} (wasm-opt failed: {t.gen_failed}), compared: {t.compared}, "
          f"skipped: {t.skipped}, cut short by fuel/timeout/stack: {t.cut}")
    print(f"calls compared: {t.calls}, events compared: {t.events} (not counting {t.fallback} modules "
          f"a tier handed to another, e.g. baseline to interp for an instruction it lacks)")
    print(f"mismatches: {t.mismatches}, tester failures: {t.errors}, elapsed: {elapsed:.0f} s, "
          f"seeds {args.seed}..{next_seed - 1}")
    if t.mismatch_kinds:
        print("  mismatches by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(t.mismatch_kinds.items())))
    for reason, n in sorted(t.fallback_reasons.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  fallback {n}: {reason}")
    for reason, n in sorted(t.skip_reasons.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  skipped {n}: {reason}")
    sys.exit(1 if t.mismatches or t.errors else 0)


if __name__ == "__main__":
    main()
