#!/usr/bin/env python3
"""Benchmark harness: every program on every engine, outputs checked on every run, then a report.

    python3 bench/run.py --out bench/results/latest        # the full run (README "Performance")
    python3 bench/run.py --quick                           # CI: tiny sizes, outputs only

Programs: the Sightglass-format programs of $STRATA_SHARED/bench (default ../shared/bench) and
the C programs of bench/programs, compiled by this script with clang-19 -O2 to wasm32-wasi and
to native x86-64 (into --work, never into the source tree).

Engines: native (bench/programs only), strata-<tier> for each tier strata_bench lists (interp,
baseline, llvm), V8 through node (v8 = default tiering, v8-liftoff = baseline only,
v8-turbofan = optimizing only) when node is installed, and peers switched on by environment
variables (see peers.py): wasm3, WAMR's fast interpreter, fast JIT and LLVM JIT, or any command. The
figure of a run is the time between bench.start and bench.end as the engine itself measures it;
the harness also takes whole-process wall time and peak RSS, through a small launcher
(LAUNCHER_SOURCE below: wait4's rusage of the program alone).

More figures: compile speed (Strata's compile time per tier in MB/s of the module's code
section, beside V8 Liftoff compiling the same module eagerly: node_compile.mjs, one process a
round), the llvm tier's whole-module compile time on 1 and 2 threads (COMPILE_THREADS), start-up
(whole-process time of `strata run` on noop against a native C program that does nothing,
alternated many times; only the difference means anything) and the machine's load during the run.

Method: one warm-up run per engine, then --runs rounds in which every engine runs once, in the
same order each round (A B C A B C: drift over time hits every engine alike). Every run's stdout
and stderr are compared with the expected files (*.stdout.expected, *.stderr.expected) or with
the native build's output; a mismatch is a failure, reported and never timed, and the harness
then exits with status 1. A peer that cannot run a program (wasm3 and WAMR's fast interpreter have
no SIMD) is no failure of the run: it is reported as "peer cannot run", with the peer's message.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402
import report  # noqa: E402
import shim  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PROGRAMS_DIR = REPO / 'bench' / 'programs'
# WasmGC programs written in the text format (binary_trees.wat), compiled by the strata CLI.
WAT_DIR = REPO / 'bench' / 'wat'
NODE_RUNNER = REPO / 'bench' / 'node_runner.mjs'
NODE_COMPILE = REPO / 'bench' / 'node_compile.mjs'
BENCH_LINE = re.compile(rb'^\[bench\] ns=(\d+)\n', re.M)

# Sightglass programs have no size argument. Quick mode leaves out those that take over a second on
# the interpreter (bench/results/latest); tests/wasi still runs every one of them through `strata run`.
QUICK_SKIP = {'shootout-base64', 'shootout-ctype', 'shootout-ed25519', 'shootout-fib2', 'shootout-heapsort',
              'shootout-matrix', 'shootout-minicsv', 'shootout-seqhash', 'shootout-sieve'}

# V8 configurations: name -> node flags. Liftoff alone takes `--liftoff-only` (liftoff, no tier-up,
# no dynamic tiering): node 20's and 22's V8 tier a hot function up to TurboFan under `--liftoff
# --no-wasm-tier-up` all the same (dynamic tiering is a flag of its own), and until session 34
# `v8-liftoff` ran the hot loops of fft, sha256, matmul, nbody, strings and hashtable as TurboFan
# code (`--print-wasm-code` names the compiler of every function it prints; check_liftoff_alone).
V8_ENGINES = {
    'v8': [],
    'v8-liftoff': ['--liftoff-only'],
    'v8-turbofan': ['--no-liftoff'],
}

# Liftoff compiling a whole module before it runs (node_compile.mjs), for the compile-speed table:
# name -> node flags. node compiles lazily by default (first call of each function), so the
# engines above never show a whole module's code generation. The eager compile spreads over V8's
# background threads; the one-thread figure is what Strata's compiler, single-threaded, compares
# with core for core.
V8_COMPILE = {
    'v8-liftoff-eager': ['--liftoff-only', '--no-wasm-lazy-compilation'],
    'v8-liftoff-eager-1thread': ['--liftoff-only', '--no-wasm-lazy-compilation',
                                 '--wasm-num-compilation-tasks=0'],
}

# Tiers in the order of the report's columns: the reference interpreter first, the JIT next to it.
TIER_ORDER = ('interp', 'baseline', 'llvm', 'tiered')

# Tiers that compile a module's functions on a pool of threads: tier -> (the environment variable
# fixing the number of threads, the numbers measured). Their whole-module compile time on each is
# taken like V8's eager compile: `strata_bench --compile-only` in a fresh process per round, after
# the engines, for the report's "Compile time on 1 and 2 threads"; strata_bench loads the tier's
# plugin first, apart (load_ns). STRATA_LLVM_VERBOSE makes the tier say how many threads and batches
# it used on each compile, the program's last (a module of one batch cannot use two threads).
COMPILE_THREADS = {'llvm': ('STRATA_COMPILE_THREADS', (1, 2)), 'baseline': ('STRATA_COMPILE_THREADS', (1, 2))}
THREADS_LINE = re.compile(r'on (\d+) threads \((\d+) (?:batches|chunks)')

# Start-up: the Sightglass program whose whole process is timed, and how often (alternated with a
# native program that does nothing; process creation alone costs several ms on this machine).
STARTUP_PROGRAM = 'noop'
NATIVE_NOOP_SOURCE = '// Written by bench/run.py (NATIVE_NOOP_SOURCE): the start-up reference.\nint main(void) { return 0; }\n'


class Program:
    """One benchmark: a wasm file, the folder it runs in, arguments, and how to check its output."""

    def __init__(self, name, suite, wasm, cwd, args=(), expected_stdout=None, expected_stderr=None,
                 native=None, self_timed=None, gc=False):
        self.name, self.suite, self.wasm, self.cwd = name, suite, Path(wasm), Path(cwd)
        self.gc = gc                  # uses WasmGC (final encoding): only engines that run it
        self.args = list(args)
        self.expected_stdout, self.expected_stderr = expected_stdout, expected_stderr
        self.native = native          # native executable (bench/programs only)
        self.self_timed = self_timed  # wasm printing its own figure, for peers without bench imports
        self.code_bytes = None        # size of the code section (compile speed), set by main
        # compile timer (V8_COMPILE, COMPILE_THREADS) -> {'runs': [ns], 'error': why or None, ...}
        self.compile_timing = {}


def code_section_size(data):
    """Payload size of the code section (id 10) of a wasm binary, or None when there is none.

    Compile speed is given per byte of code: the other sections (data segments, names) cost little
    to compile and vary between toolchains.
    """
    if data[:4] != b'\0asm':
        raise ValueError('not a wasm binary')
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        pos += 1
        size, shift = 0, 0
        while True:  # LEB128 u32
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7f) << shift
            shift += 7
            if byte < 0x80:
                break
        if section_id == 10:
            return size
        pos += size
    return None


# ---------------------------------------------------------------------------------------------
# The launcher: whole-process wall time and peak RSS of one run

# wait4 gives the rusage of the child it reaps, but Linux counts in a process's peak RSS the peak of
# the image exec replaced: a program started straight from this script reports at least the
# harness's own peak RSS (about 20 MiB: the same figure for every small program). Every run
# therefore goes through this launcher, built with clang into --work: it forks from its own small
# image (under 1 MiB, the floor of the figure), execs the command, reaps it with wait4 and writes
# "<wait status> <ru_maxrss KiB> <wall ns>" to the file descriptor given as its first argument.
LAUNCHER_SOURCE = r'''// Written by bench/run.py (LAUNCHER_SOURCE): runs argv[2..], reports on file descriptor argv[1].
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s FD COMMAND [ARG...]\n", argv[0]);
        return 125;
    }
    int fd = atoi(argv[1]);
    fcntl(fd, F_SETFD, FD_CLOEXEC);  // the program never holds the report pipe open
    pid_t parent = getpid();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("launcher: fork");
        return 125;
    }
    if (pid == 0) {
        // The harness's timeout kills the launcher: the program must not outlive it.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(125);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "launcher: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            perror("launcher: wait4");
            return 125;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    dprintf(fd, "%d %ld %lld\n", status, usage.ru_maxrss, ns);
    return 0;
}
'''


def build_launcher(work, clang):
    """The launcher's executable in work, compiled again when LAUNCHER_SOURCE changed."""
    return build_c(work, clang, 'launcher', LAUNCHER_SOURCE)


def build_c(work, clang, name, text):
    """work/name compiled from the C source text with clang -O2, again only when the text changed."""
    work.mkdir(parents=True, exist_ok=True)
    source, exe = work / f'{name}.c', work / name
    if exe.exists() and source.exists() and source.read_text() == text:
        return exe
    # Built under names of this process, then renamed: harnesses sharing --work never see half a file.
    tmp_source, tmp_exe = work / f'{name}.{os.getpid()}.c', work / f'{name}.{os.getpid()}'
    tmp_source.write_text(text)
    r = subprocess.run([clang, '-O2', '-Wall', '-Werror', str(tmp_source), '-o', str(tmp_exe)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        tmp_source.unlink(missing_ok=True)
        raise SystemExit(f'compiling {name} failed:\n{r.stderr}')
    os.replace(tmp_exe, exe)
    os.replace(tmp_source, source)
    return exe


# ---------------------------------------------------------------------------------------------
# Building bench/programs

def parse_manifest(source):
    """The '// bench: full=N quick=M [simd|simd-only]' line of a program."""
    for line in source.read_text().splitlines()[:5]:
        m = re.match(r'//\s*bench:\s*(.*)', line)
        if m:
            fields = dict(f.split('=', 1) if '=' in f else (f, True) for f in m.group(1).split())
            return fields
    raise SystemExit(f'{source}: no "// bench: full=N quick=M" line')


def compile_jobs(work, clang):
    """(program name, source, simd, full, quick) and the compile commands each needs."""
    jobs, programs = [], []
    header = PROGRAMS_DIR / 'bench.h'
    for source in sorted(PROGRAMS_DIR.glob('*.c')):
        m = parse_manifest(source)
        variants = []
        if m.get('simd-only'):
            variants.append((source.stem, True))
        else:
            variants.append((source.stem, False))
            if m.get('simd'):
                variants.append((source.stem + '-simd', True))
        for name, simd in variants:
            simd_flags = ['-msimd128'] if simd else []
            base = [clang, '-O2', '-Wall', '-Werror']
            wasm_flags = base + ['--target=wasm32-wasi'] + simd_flags + ['-Wl,--strip-all']
            outs = {
                'wasm': (work / f'{name}.wasm', wasm_flags),
                'self': (work / f'{name}.self.wasm', wasm_flags + ['-DBENCH_SELF_TIMED']),
                # Native -O2 for x86-64 baseline (SSE2): the same source and optimisation level.
                'native': (work / f'{name}.native', base),
            }
            for kind, (out, flags) in outs.items():
                stale = not out.exists() or out.stat().st_mtime < max(source.stat().st_mtime,
                                                                      header.stat().st_mtime)
                if stale:
                    jobs.append(flags + [str(source), '-o', str(out), '-lm'])
            programs.append((name, m, {k: v[0] for k, v in outs.items()}))
    return jobs, programs


def build_programs(work, clang, quick):
    work.mkdir(parents=True, exist_ok=True)
    jobs, built = compile_jobs(work, clang)
    if jobs:
        print(f'compiling {len(jobs)} program builds with {clang} into {work}', flush=True)

    def run(cmd):
        r = subprocess.run(cmd, capture_output=True, text=True)
        return cmd, r

    failed = False
    with ThreadPoolExecutor(max_workers=2) as pool:
        for cmd, r in pool.map(run, jobs):
            if r.returncode != 0:
                failed = True
                print(f'error: {" ".join(cmd)}\n{r.stderr}', file=sys.stderr)
    if failed:
        raise SystemExit('compiling bench/programs failed')
    programs = []
    for name, manifest, outs in built:
        args = [str(manifest['quick' if quick else 'full'])]
        programs.append(Program(name, 'programs', outs['wasm'], work, args, native=outs['native'],
                                self_timed=outs['self']))
    return programs


def add_self_timed(programs, work):
    """Self-timed copies of the Sightglass programs (shim.py), for peers without bench imports."""
    folder = work / 'self-timed'
    folder.mkdir(parents=True, exist_ok=True)
    for p in programs:
        out = folder / f'{p.name}.wasm'
        if not out.exists() or out.stat().st_mtime < max(p.wasm.stat().st_mtime, Path(shim.__file__).stat().st_mtime):
            try:
                out.write_bytes(shim.shim(p.wasm.read_bytes()))
            except (ValueError, KeyError, IndexError) as e:
                print(f'note: {p.name}: no self-timed copy for peers ({e})', file=sys.stderr)
                continue
        p.self_timed = out


def wat_programs(work, cli):
    """bench/wat/*.wat, compiled with `strata wat2wasm` into work, checked against NAME.stdout.expected."""
    programs = []
    for wat in sorted(WAT_DIR.glob('*.wat')):
        wasm = work / f'{wat.stem}.wasm'
        r = subprocess.run([cli, 'wat2wasm', str(wat), '-o', str(wasm)], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f'strata wat2wasm {wat} failed: {r.stderr}')
        expected = wat.parent / f'{wat.stem}.stdout.expected'
        programs.append(Program(wat.stem, 'wat', wasm, work, gc=True,
                                expected_stdout=expected.read_bytes() if expected.exists() else None))
    return programs


def sightglass_programs(shared):
    """Every *.wasm under shared/bench, with its expected outputs (Sightglass naming)."""
    root = shared / 'bench'
    if not root.is_dir():
        print(f'warning: {root} not found: only bench/programs are measured', file=sys.stderr)
        return []
    programs = []
    for wasm in sorted(root.rglob('*.wasm')):
        stem = wasm.name[:-len('.wasm')]
        name = wasm.parent.name if stem == 'benchmark' else stem
        expected = {}
        for stream in ('stdout', 'stderr'):
            f = wasm.parent / f'{stem}.{stream}.expected'
            expected[stream] = f.read_bytes() if f.exists() else None
        programs.append(Program(name, 'sightglass', wasm, wasm.parent,
                                expected_stdout=expected['stdout'], expected_stderr=expected['stderr']))
    return programs


# ---------------------------------------------------------------------------------------------
# Engines

class Engine:
    """How to run a program: build the command, then read the figures it reports.

    kind: 'native', 'strata', 'node', or 'command' (a template of peers.py run on self-timed builds).
    peer: a peer engine; a program it cannot run is reported as such, never as a failure of the run.
    peer_kind: 'interp' or 'jit' for the known peers (peers.py), None for the others; the report
    compares a JIT peer with Strata's baseline tier, every other peer with the interpreter.
    """

    def __init__(self, name, kind, command=None, flags=(), template=None, peer=False, peer_kind=None, gc=True):
        self.name, self.kind = name, kind
        self.command, self.flags, self.template = command, list(flags), template
        self.peer, self.peer_kind = peer, peer_kind
        self.gc = gc  # runs WasmGC programs

    def applies(self, program):
        if program.gc and not self.gc:
            return False
        return program.native is not None if self.kind == 'native' else True

    def argv(self, program, report_file):
        if self.kind == 'native':
            return [str(program.native)] + program.args
        if self.kind == 'strata':
            return [self.command, '--tier', self.flags[0], '--dir', str(program.cwd), '--report',
                    str(report_file), str(program.wasm)] + program.args
        if self.kind == 'node':
            return [self.command, '--no-warnings'] + self.flags + [
                str(NODE_RUNNER), '--dir', str(program.cwd), '--report', str(report_file),
                str(program.wasm)] + program.args
        wasm = program.self_timed or program.wasm
        return peers.expand(self.template, self.command, wasm, program.cwd, program.args)


def strata_tiers(driver):
    r = subprocess.run([driver, '--tiers'], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f'{driver} --tiers failed: {r.stderr}')
    tiers = [t for t in r.stdout.split() if t]
    # A tier strata_bench does not list (baseline before the JIT lands) is simply not measured.
    return sorted(tiers, key=lambda t: (TIER_ORDER.index(t) if t in TIER_ORDER else len(TIER_ORDER), t))


def discover_engines(args):
    engines = []
    if shutil.which(args.clang):
        engines.append(Engine('native', 'native'))
    driver = args.strata
    if not Path(driver).exists():
        raise SystemExit(f'{driver} not found: build it (ninja -C build/release strata_bench) or pass --strata')
    tiers = strata_tiers(driver)
    for tier in tiers:
        engines.append(Engine(f'strata-{tier}', 'strata', driver, [tier]))
    if args.quick and tiers:
        # Checks what peers run (self-timed builds, shim.py copies) on every CI run, as a peer would.
        # It is Strata, not a peer: its failures are failures.
        engines.append(Engine('self-timed', 'command', driver,
                              template=f'{{cmd}} --tier {tiers[0]} --report /dev/null --dir {{dir}} {{wasm}} {{args}}'))
    node = os.environ.get('STRATA_BENCH_NODE') or shutil.which('node')
    base = []
    if node and not args.no_node:
        # Before node 20, node:wasi sits behind a flag (Debian 12 ships node 18).
        version = subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()
        major = int(re.match(r'v(\d+)', version).group(1)) if re.match(r'v\d+', version) else 20
        base = ['--experimental-wasi-unstable-preview1'] if major < 20 else []
        # WasmGC in its final encoding is on by default from V8 11.9 (node 22); older nodes
        # decode another draft, so the GC programs are compared with V8 only on node >= 22
        # (STRATA_BENCH_NODE may name one).
        if major < 22:
            print(f'note: node {version} predates final WasmGC: V8 does not run bench/wat', file=sys.stderr)
        for name, flags in V8_ENGINES.items():
            engines.append(Engine(name, 'node', node, base + flags, gc=major >= 22))
    elif not args.no_node:
        print('note: node not found: V8 is not measured', file=sys.stderr)
    for name, command, template, peer_kind in peers.from_environment():
        engines.append(Engine(name, 'command', command, template=template, peer=True, peer_kind=peer_kind))
    if args.engines:
        wanted = set(args.engines.split(','))
        engines = [e for e in engines if e.name in wanted]
    args.compile_timers = compile_timers(engines, args, [node] + base)
    return engines


class CompileTimer:
    """One whole-module compile in a fresh process, printing {"compile_ns": N} on stdout:
    `argv WASM` with env added to the harness's environment."""

    def __init__(self, name, argv, env=None, gc=True, quick_all=True):
        self.name, self.argv, self.env = name, argv, env or {}
        self.gc = gc  # compiles WasmGC programs
        # In --quick, on every program, or only on one (args.quick_probe): enough to check the path
        # where each compile costs seconds (the llvm tier), as quick mode's figures mean nothing.
        self.quick_all = quick_all


def compile_timers(engines, args, node):
    """Liftoff's eager compile goes with the V8 engines, the thread counts of a tier with its engine:
    each is measured when its engines are."""
    timers = []
    if any(e.kind == 'node' for e in engines):
        node_gc = any(e.kind == 'node' and e.gc for e in engines)
        timers += [CompileTimer(name, node + flags + [str(NODE_COMPILE)], gc=node_gc)
                   for name, flags in V8_COMPILE.items()]
    for e in engines:
        if e.kind != 'strata' or e.flags[0] not in COMPILE_THREADS:
            continue
        var, counts = COMPILE_THREADS[e.flags[0]]
        for n in counts:
            timers.append(CompileTimer(f'{e.name}-{n}thread' + ('s' if n > 1 else ''),
                                       [e.command, '--tier', e.flags[0], '--compile-only'],
                                       {var: str(n), 'STRATA_LLVM_VERBOSE': '1', 'STRATA_JIT_VERBOSE': '1'},
                                       quick_all=e.flags[0] != 'llvm'))
    return timers


# ---------------------------------------------------------------------------------------------
# Running

def run_once(engine, program, scratch, args):
    """One process: wall time, peak RSS, outputs and the engine's own figures."""
    report_file = scratch / 'report.json'
    report_file.unlink(missing_ok=True)
    out_path, err_path = scratch / 'stdout', scratch / 'stderr'
    argv = engine.argv(program, report_file)
    read_end, write_end = os.pipe()  # the launcher's report
    with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
        t0 = time.perf_counter_ns()
        proc = subprocess.Popen([str(args.launcher), str(write_end)] + argv, cwd=program.cwd, stdout=out,
                                stderr=err, stdin=subprocess.DEVNULL, pass_fds=(write_end,))
        os.close(write_end)
        timed_out = threading.Event()

        def kill():  # the launcher's death kills the program (PR_SET_PDEATHSIG)
            timed_out.set()
            proc.kill()
        timer = threading.Timer(args.timeout, kill)
        timer.start()
        _, status, _ = os.wait4(proc.pid, 0)  # the launcher's own rusage: not the program's
        wall = time.perf_counter_ns() - t0
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    with open(read_end, 'rb') as f:
        launched = f.read().split()
    peak_rss_kb = None
    if proc.returncode == 0 and len(launched) == 3:
        # The program's own figures; without them (the launcher was killed) its exit status stands.
        status, peak_rss_kb, wall = (int(v) for v in launched)
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = out_path.read_bytes(), err_path.read_bytes()
    figures = {}
    if report_file.exists():
        figures = json.loads(report_file.read_text())
    marks = BENCH_LINE.findall(stderr)
    if marks:  # self-timed builds: the figure is on stderr; it is not part of the output
        figures['bench_ns'] = int(marks[-1])
        stderr = BENCH_LINE.sub(b'', stderr)
    return {
        'argv': argv, 'exit': proc.returncode, 'timed_out': timed_out.is_set(), 'stdout': stdout, 'stderr': stderr,
        'wall_ns': wall, 'peak_rss_kb': peak_rss_kb, 'bench_ns': figures.get('bench_ns'),
        'compile_ns': figures.get('compile_ns'), 'instantiate_ns': figures.get('instantiate_ns'),
    }


def check(program, run, reference):
    """None when the run's output is right, else why not."""
    if run['timed_out']:
        return 'killed: it ran longer than --timeout'
    if run['exit'] != 0:
        # The engine's message: the end of stderr, else of stdout (WAMR reports errors on stdout).
        text = run['stderr'].strip() or run['stdout'].strip()
        tail = text.decode(errors='replace').splitlines()[-3:]
        return f'exit status {run["exit"]}' + (f': {" / ".join(tail)}' if tail else ' (no message)')
    want_out = program.expected_stdout if program.expected_stdout is not None else reference.get('stdout')
    want_err = program.expected_stderr if program.expected_stderr is not None else reference.get('stderr', b'')
    if want_out is not None and run['stdout'] != want_out:
        return f'stdout differs from {reference.get("source", "the expected file")}: ' + first_diff(want_out, run['stdout'])
    if want_err is not None and run['stderr'] != want_err:
        return 'stderr differs: ' + first_diff(want_err, run['stderr'])
    if run['bench_ns'] is None:
        return 'no figure: bench.start/bench.end were not both called'
    return None


def first_diff(want, got):
    w, g = want.decode(errors='replace').splitlines(), got.decode(errors='replace').splitlines()
    for i in range(max(len(w), len(g))):
        a = w[i] if i < len(w) else '<end>'
        b = g[i] if i < len(g) else '<end>'
        if a != b:
            return f'line {i + 1}: expected {a!r}, got {b!r}'
    return 'trailing bytes differ'


def time_compile(timer, program, args):
    """(figures, None) of one fresh process compiling the program (a CompileTimer), else (None, why).

    figures: compile_ns, and when the process reported them load_ns (strata_bench: the plugin's
    load) and threads, batches (the llvm tier's account of its last compile)."""
    try:
        r = subprocess.run(timer.argv + [str(program.wasm)], capture_output=True, text=True, timeout=args.timeout,
                           stdin=subprocess.DEVNULL, env=dict(os.environ, **timer.env) if timer.env else None)
    except subprocess.TimeoutExpired:
        return None, 'killed: it ran longer than --timeout'
    if r.returncode != 0:
        tail = (r.stderr.strip() or r.stdout.strip()).splitlines()[-3:]
        return None, f'exit status {r.returncode}: {" / ".join(tail)}'
    try:
        report = json.loads(r.stdout)
        figures = {'compile_ns': int(report['compile_ns'])}
    except (ValueError, KeyError, TypeError) as e:
        return None, f'no figure in {r.stdout.strip()!r} ({e})'
    if report.get('load_ns') is not None:
        figures['load_ns'] = report['load_ns']
    lines = THREADS_LINE.findall(r.stderr)
    if len(lines) > 1:  # the first is the plugin's load (one empty function); none: another tier compiled
        figures['threads'], figures['batches'] = (int(v) for v in lines[-1])
    return figures, None


def measure(program, engines, args, scratch):
    """Warm-up and alternated rounds on every engine; returns {engine: result dict}.

    The whole-module compile timers (V8_COMPILE, COMPILE_THREADS) run in the same rounds, after the
    engines; their figures go to program.compile_timing.
    """
    runnable = [e for e in engines if e.applies(program)]
    reference = {}
    if program.expected_stdout is None:
        # The native build (or, without one, the first engine) defines the right output.
        ref_engine = next((e for e in runnable if e.kind == 'native'), runnable[0] if runnable else None)
        if ref_engine is not None:
            r = run_once(ref_engine, program, scratch, args)
            if r['exit'] == 0:
                reference = {'stdout': r['stdout'], 'stderr': r['stderr'], 'source': ref_engine.name}
    results = {e.name: {'runs': [], 'error': None} for e in runnable}
    if program.expected_stdout is None and not reference:
        for res in results.values():  # nothing to check against: no number is trustworthy
            res['error'] = 'the reference run (native, else the first engine) failed'
        return results
    rounds = (0 if args.quick else args.warmup) + args.runs
    for i in range(rounds):
        for e in runnable:
            res = results[e.name]
            if res['error']:
                continue
            r = run_once(e, program, scratch, args)
            err = check(program, r, reference)
            if err:
                res['error'] = err
                res['argv'] = r['argv']
                continue
            if args.quick or i >= args.warmup:
                res['runs'].append({k: r[k] for k in ('bench_ns', 'wall_ns', 'compile_ns', 'instantiate_ns',
                                                       'peak_rss_kb')})
        for timer in args.compile_timers:
            if (program.gc and not timer.gc) or (args.quick and not timer.quick_all and program.name != args.quick_probe):
                continue
            timing = program.compile_timing.setdefault(timer.name, {'runs': [], 'error': None})
            if timing['error']:
                continue
            figures, timing['error'] = time_compile(timer, program, args)
            if figures and 'threads' in figures:  # absent when the tier handed the module to another
                timing['threads'], timing['batches'] = figures['threads'], figures['batches']
            if figures and (args.quick or i >= args.warmup):
                timing['runs'].append(figures['compile_ns'])
                if 'load_ns' in figures:
                    timing.setdefault('load_runs', []).append(figures['load_ns'])
    for e in runnable:
        results[e.name]['checked_against'] = ('expected files' if program.expected_stdout is not None
                                              else reference.get('source', 'nothing'))
    return results


class LoadSampler(threading.Thread):
    """The machine's load while the harness runs, every `period` seconds: the 1-minute load average
    and the share of all cores' time that was busy (/proc/stat) since the previous sample. The
    harness itself keeps about one core busy (two while the llvm tier compiles on two threads); what
    is above that is other work, which widens the spread and slows the engines."""

    def __init__(self, period=10.0):
        super().__init__(daemon=True)
        self.period, self.samples, self.stop = period, [], threading.Event()

    @staticmethod
    def cpu_times():
        fields = [int(v) for v in Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    def run(self):
        try:
            last = self.cpu_times()
        except (OSError, ValueError, IndexError):
            return
        while not self.stop.wait(self.period):
            now = self.cpu_times()
            total, idle = now[0] - last[0], now[1] - last[1]
            last = now
            self.samples.append({'load1': os.getloadavg()[0], 'busy': 1 - idle / total if total else None})

    def summary(self):
        self.stop.set()
        loads = sorted(s['load1'] for s in self.samples)
        busy = [s['busy'] for s in self.samples if s['busy'] is not None]
        if not loads:
            return None
        return {'samples': len(loads), 'period_s': self.period, 'load1_median': loads[len(loads) // 2],
                'load1_max': loads[-1], 'busy_mean': sum(busy) / len(busy) if busy else None,
                'cores': os.cpu_count()}


def startup_contenders(cli, tiers, noop, scratch):
    """The start-up runs: a native no-op, then per Strata tier a cold run (decode, validate, compile
    every time) and, for a tier that writes machine code (not interp), a run from a warm code cache
    (`--cache`, the line users write, with XDG_CACHE_HOME set to a folder of this harness's by
    measure_startup, filled by the warm-up round; `-C cache-dir=...` would take the tool's slower
    general command-line path) and one of a compiled
    artifact (`strata compile --tier T` first, then `run --allow-precompiled FILE.cwasm`): issue 12's
    cold compile, warm cache and precompiled figures. Returns (contenders, errors)."""
    contenders, errors = [Engine('native', 'native')], {}
    for t in tiers:
        contenders.append(Engine(f'strata-{t}', 'command', str(cli), template=f'{{cmd}} run --tier {t} {{wasm}}'))
        if t == 'interp':
            continue
        cwasm = scratch / f'{noop.name}-{t}.cwasm'
        r = subprocess.run([str(cli), 'compile', '--tier', t, str(noop.wasm), '-o', str(cwasm)],
                           capture_output=True, text=True)
        name = f'strata-{t}-cwasm'
        if r.returncode != 0 and 'cannot write compiled artifacts' in r.stderr:
            continue  # a tier without artifacts (tiered): no cache or artifact to measure
        contenders.append(Engine(f'strata-{t}-cache', 'command', str(cli),
                                 template=f'{{cmd}} run --tier {t} --cache {{wasm}}'))
        contenders.append(Engine(name, 'command', str(cli), template=f'{{cmd}} run --allow-precompiled {cwasm}'))
        if r.returncode != 0:
            errors[name] = f'strata compile exited {r.returncode}: {r.stderr.strip()[-200:]}'
    return contenders, errors


def measure_artifacts(programs, engines, args, scratch):
    """Issue 12's load figure: loading a compiled artifact against compiling the module, per
    machine-code tier, on the largest program of ../shared/bench and the largest of all (quick: the
    probe program only). `strata compile --tier T` writes the .cwasm once; then each round runs
    `strata_bench --tier T --compile-only` on the .wasm (compile_ns: decoding, validation and code
    generation) and on the .cwasm (compile_ns: Module::deserializeFile), one fresh process each,
    alternated.

    Returns None when there is no machine-code tier or no CLI, else {'runs', 'programs': {name:
    {'code_bytes', tier: {'compile': [ns], 'load': [ns], 'cwasm_bytes'}}}, 'errors': {what: why}}."""
    strata = next((e for e in engines if e.kind == 'strata'), None)
    tiers = [e.flags[0] for e in engines if e.kind == 'strata' and e.flags[0] != 'interp']
    cli = Path(args.strata_cli)
    if strata is None or not tiers or not cli.exists():
        return None
    sized = [p for p in programs if getattr(p, 'code_bytes', None)]
    if args.quick:
        picks = [p for p in sized if p.name == args.quick_probe][:1]
    else:
        picks = []
        for group in ([p for p in sized if p.suite == 'sightglass'], sized):
            big = max(group, key=lambda p: p.code_bytes, default=None)
            if big is not None and big not in picks:
                picks.append(big)
    out = {'runs': 1 if args.quick else args.artifact_runs, 'programs': {}, 'errors': {}}
    jobs = []
    for p in picks:
        row = out['programs'].setdefault(p.name, {'code_bytes': p.code_bytes})
        for t in tiers:
            cwasm = scratch / f'{p.name}-{t}-load.cwasm'
            r = subprocess.run([str(cli), 'compile', '--tier', t, str(p.wasm), '-o', str(cwasm)],
                               capture_output=True, text=True)
            if r.returncode != 0 and 'cannot write compiled artifacts' in r.stderr:
                continue  # a tier without artifacts (tiered)
            if r.returncode != 0:
                out['errors'][f'{p.name} on {t}'] = f'strata compile exited {r.returncode}: {r.stderr.strip()[-200:]}'
                continue
            row[t] = {'compile': [], 'load': [], 'cwasm_bytes': cwasm.stat().st_size}
            timer = CompileTimer(f'strata-{t}', [strata.command, '--tier', t, '--compile-only'])
            jobs.append((p, t, timer, SimpleNamespace(wasm=cwasm)))
    for _ in range(out['runs']):
        for p, t, timer, artifact in jobs:
            for kind, program in (('compile', p), ('load', artifact)):
                figures, err = time_compile(timer, program, args)
                if err:
                    out['errors'][f'{p.name} on {t} ({kind})'] = err
                else:
                    out['programs'][p.name][t][kind].append(figures['compile_ns'])
    return out


def measure_startup(programs, engines, args, scratch):
    """Whole-process wall time of `strata run` on noop for every Strata tier (cold; and from a warm
    cache and a compiled artifact for machine-code tiers, startup_contenders), and of a native
    program that does nothing, alternated (one warm-up round, then --startup-runs rounds, each in
    a shuffled order).

    Returns None when noop is not among the programs, the CLI is missing or --startup-runs is 0, else {'program', 'cli',
    'runs', 'wall_ns': {engine: [ns]}, 'errors': {engine: why}}. Process creation, the dynamic
    loader and exit cost several ms here whatever runs, and move with the machine's state: only the
    difference to the native program, measured in the same rounds, says what Strata adds.
    """
    noop = next((p for p in programs if p.name == STARTUP_PROGRAM and p.suite == 'sightglass'), None)
    tiers = [e.flags[0] for e in engines if e.kind == 'strata']
    if noop is None or not tiers or args.startup_runs <= 0:
        return None
    cli = Path(args.strata_cli)
    if not cli.exists():
        print(f'note: {cli} not found: no start-up figures (build the `strata` target or pass --strata-cli)',
              file=sys.stderr)
        return None
    native = Program(noop.name, 'startup', noop.wasm, noop.cwd,
                     native=build_c(args.work, args.clang, 'noop-native', NATIVE_NOOP_SOURCE))
    contenders, errors = startup_contenders(cli, tiers, noop, scratch)
    walls = {e.name: [] for e in contenders}
    # The cache of the strata-T-cache runs (`--cache` reads XDG_CACHE_HOME): empty at first.
    cache_home = scratch / 'startup-cache'
    shutil.rmtree(cache_home, ignore_errors=True)
    saved_home = os.environ.get('XDG_CACHE_HOME')
    os.environ['XDG_CACHE_HOME'] = str(cache_home)
    for i in range(1 + args.startup_runs):
        # Each round in its own order (seeded by the round): a process that runs after a cold
        # llvm compile (200 ms, 70 MiB) finds the CPU's caches emptied, so a fixed order would
        # charge that to whichever engine always came next.
        order = list(contenders)
        if i > 0:
            random.Random(i).shuffle(order)
        for e in order:
            if e.name in errors:
                continue
            r = run_once(e, native, scratch, args)
            want = b'' if e.kind == 'native' else noop.expected_stdout
            if r['timed_out'] or r['exit'] != 0:
                errors[e.name] = 'killed: it ran longer than --timeout' if r['timed_out'] else f'exit status {r["exit"]}'
            elif want is not None and r['stdout'] != want:
                errors[e.name] = 'stdout differs: ' + first_diff(want, r['stdout'])
            elif i > 0:
                walls[e.name].append(r['wall_ns'])
    if saved_home is None:
        os.environ.pop('XDG_CACHE_HOME', None)
    else:
        os.environ['XDG_CACHE_HOME'] = saved_home
    return {'program': noop.name, 'cli': str(cli), 'runs': args.startup_runs, 'wall_ns': walls, 'errors': errors}


def line_for(program, results, peer_names):
    cells = []
    for name, res in results.items():
        if res['error']:
            cells.append(f'{name} {"n/a" if name in peer_names else "FAIL"}')
        else:
            ms = sorted(r['bench_ns'] for r in res['runs'])[len(res['runs']) // 2] / 1e6
            cells.append(f'{name} {ms:.1f}ms')
    return f'{program.name:24s} ' + '  '.join(cells)


def startup_line(startup):
    native = startup['wall_ns'].get('native')
    base = sorted(native)[len(native) // 2] / 1e6 if native else None
    cells = []
    for name, runs in startup['wall_ns'].items():
        if name in startup['errors'] or not runs:
            cells.append(f'{name} FAIL')
            continue
        ms = sorted(runs)[len(runs) // 2] / 1e6
        cells.append(f'{name} {ms:.2f}ms' + (f' ({ms - base:+.2f})' if base is not None and name != 'native' else ''))
    return f'{"start-up (" + startup["program"] + ")":24s} ' + '  '.join(cells)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', type=Path, default=REPO / 'bench' / 'results' / 'latest',
                   help='folder for results.json, results.md and the charts (default bench/results/latest)')
    p.add_argument('--artifact-runs', type=int, default=5,
                   help='alternated compile and artifact-load rounds on the largest programs (default 5)')
    p.add_argument('--quick', action='store_true',
                   help='every program once at a tiny size; outputs checked, no timing judgement')
    p.add_argument('--runs', type=int, default=None, help='measured runs per engine (default 5; quick: 1)')
    p.add_argument('--warmup', type=int, default=1, help='warm-up runs per engine (default 1)')
    p.add_argument('--strata', default=str(REPO / 'build' / 'release' / 'bench' / 'strata_bench'),
                   help='the strata_bench driver (default build/release/bench/strata_bench)')
    p.add_argument('--shared', type=Path,
                   default=Path(os.environ.get('STRATA_SHARED', REPO.parent / 'shared')),
                   help='folder holding bench/ (default $STRATA_SHARED, else ../shared)')
    p.add_argument('--work', type=Path, default=REPO / 'build' / 'bench-programs',
                   help='where bench/programs are compiled (default build/bench-programs)')
    p.add_argument('--clang', default='clang-19')
    p.add_argument('--programs', default=None, help='regular expression selecting program names')
    p.add_argument('--engines', default=None, help='comma-separated engine names to keep')
    p.add_argument('--no-node', action='store_true', help='do not measure V8')
    p.add_argument('--no-sightglass', action='store_true', help=f'only bench/programs')
    p.add_argument('--timeout', type=float, default=600.0, help='seconds before a run is killed')
    p.add_argument('--strata-cli', default=None,
                   help='the strata CLI for the start-up figure (default: bin/strata beside --strata\'s build)')
    p.add_argument('--startup-runs', type=int, default=None,
                   help=f'alternated whole-process runs of {STARTUP_PROGRAM} for the start-up figure '
                        '(default 30; quick: 3; 0: no start-up figures)')
    args = p.parse_args()
    if args.runs is None:
        args.runs = 1 if args.quick else 5
    if args.startup_runs is None:
        args.startup_runs = 3 if args.quick else 30
    # Runs happen in each program's folder: every path must be absolute.
    args.work, args.out, args.shared = args.work.resolve(), args.out.resolve(), args.shared.resolve()
    args.strata = str(Path(args.strata).resolve())
    # build/release/bench/strata_bench -> build/release/bin/strata
    args.strata_cli = str(Path(args.strata_cli).resolve() if args.strata_cli
                          else Path(args.strata).parent.parent / 'bin' / 'strata')
    return args


# The Liftoff-only check (check_liftoff_alone): a program whose hot loop V8 tiers up within a
# fraction of a second when dynamic tiering is on (node 22: at once; node 20: after ~0.1 s of fft),
# and its argument.
LIFTOFF_PROBE = ('fft', ['80'])


def check_liftoff_alone(engines, programs):
    """The `v8-liftoff` engine must run Liftoff code only: its flags, plus `--print-wasm-code`
    (which names the compiler of every function it prints), on LIFTOFF_PROBE. Returns an error
    message, '' when it holds, None when it was not checked (no node, no such engine or probe).
    Under `--liftoff --no-wasm-tier-up`, what `v8-liftoff` was until session 34, node 20 and 22
    print TurboFan code for fft's transform (checked: the harness then fails)."""
    engine = next((e for e in engines if e.name == 'v8-liftoff'), None)
    program = next((p for p in programs if p.name == LIFTOFF_PROBE[0]), None)
    if engine is None or program is None:
        return None
    probe = Program(program.name, program.suite, program.wasm, program.cwd, LIFTOFF_PROBE[1])
    printing = Engine(engine.name, 'node', engine.command, engine.flags + ['--print-wasm-code'])
    cmd = printing.argv(probe, os.devnull)
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=program.cwd, timeout=120)
    compilers = re.findall(r'^compiler: (\w+)', r.stdout, re.M)
    if r.returncode != 0:
        return f'{" ".join(cmd)} exited with status {r.returncode}: {r.stderr[-300:]}'
    others = sorted({c for c in compilers if c != 'Liftoff'})
    if others:
        return (f'v8-liftoff ran {", ".join(others)} code ({sum(c != "Liftoff" for c in compilers)} '
                f'functions) on {program.name}: its flags {engine.flags} let V8 tier up')
    if not compilers:
        print('note: this node prints no wasm code: v8-liftoff not checked for tier-up', file=sys.stderr)
        return None
    return ''


def main():
    args = parse_args()
    engines = discover_engines(args)
    print('engines: ' + ', '.join(e.name for e in engines), flush=True)
    if not shutil.which(args.clang):
        raise SystemExit(f'{args.clang} not found (scripts/setup.sh installs it)')
    args.launcher = build_launcher(args.work, args.clang)
    programs = build_programs(args.work, args.clang, args.quick)
    # The GC programs have no quick size (binary_trees takes seconds on the interpreter).
    if not args.quick:
        programs += wat_programs(args.work, args.strata_cli)
    if not args.no_sightglass:
        sightglass = [p for p in sightglass_programs(args.shared) if not (args.quick and p.name in QUICK_SKIP)]
        if any(e.kind == 'command' for e in engines):
            add_self_timed(sightglass, args.work)
        programs += sightglass
    if args.programs:
        programs = [p for p in programs if re.search(args.programs, p.name)]
    for p in programs:
        try:
            p.code_bytes = code_section_size(p.wasm.read_bytes())
        except (ValueError, IndexError) as e:
            print(f'note: {p.name}: no code section size ({e})', file=sys.stderr)
    args.quick_probe = next((p.name for p in programs if p.name == STARTUP_PROGRAM), programs[0].name if programs else None)
    # Per process: two harnesses sharing --work must not read each other's outputs.
    scratch = Path(tempfile.mkdtemp(prefix='scratch-', dir=args.work))
    started = time.time()
    sampler = LoadSampler()
    sampler.start()
    measured = []
    peer_names = {e.name for e in engines if e.peer}
    for program in programs:
        results = measure(program, engines, args, scratch)
        measured.append((program, results))
        print(line_for(program, results, peer_names), flush=True)
    startup = measure_startup(programs, engines, args, scratch)
    liftoff_error = check_liftoff_alone(engines, programs)
    if startup:
        print(startup_line(startup), flush=True)
    artifacts = measure_artifacts(programs, engines, args, scratch)
    # A peer's error means the peer cannot run the program (no SIMD, its own limits): reported, not
    # a failure. Strata's, native's and V8's errors are failures, and so are those of the compile
    # timers and of the start-up runs.
    errors = [(p.name, e, r['error']) for p, res in measured for e, r in res.items() if r['error']]
    errors += [(p.name, name, t['error']) for p, _ in measured for name, t in p.compile_timing.items()
               if t['error']]
    if startup:
        errors += [(f'{startup["program"]} (start-up)', e, err) for e, err in startup['errors'].items()]
    if artifacts:
        errors += [(what, 'strata (artifact load)', err) for what, err in artifacts['errors'].items()]
    if liftoff_error:
        errors.append(('liftoff-only check', 'v8-liftoff', liftoff_error))
    failures = [f for f in errors if f[1] not in peer_names]
    cannot_run = [f for f in errors if f[1] in peer_names]
    for name, engine, err in cannot_run:
        print(f'peer cannot run {name} on {engine}: {err}', file=sys.stderr)
    for name, engine, err in failures:
        print(f'FAIL {name} on {engine}: {err}', file=sys.stderr)
    doc = report.build(args, engines, measured, REPO, time.time() - started, startup, sampler.summary())
    doc['artifacts'] = report.artifacts_summary(artifacts)
    report.write(doc, args.out, charts=not args.quick)
    total = sum(len(res) + len(p.compile_timing) for p, res in measured) + (len(startup['wall_ns']) if startup else 0)
    total += liftoff_error is not None
    shutil.rmtree(scratch, ignore_errors=True)
    print(f'results in {args.out}')
    # The plain closing line CI readers understand.
    print(f'{total - len(errors)} passed, {len(failures)} failed'
          + (f', {len(cannot_run)} not run by a peer (not failures)' if cannot_run else ''))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
