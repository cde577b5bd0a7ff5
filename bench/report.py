"""Turns the harness's measurements into results.json, results.md and two log-scale PNG charts (gnuplot)."""
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

# Figures below this (noop, or a loop the compiler removed) are start-up noise: no ratios, no spread.
MIN_FIGURE_MS = 0.5
# The section on the peers compares Strata's interpreter with them...
PEER_STRATA = 'strata-interp'
# ...leaving out of its geometric means and win counts the programs under this on the peer: there
# (noop, shootout-nestedloop) the work is optimised away and the figure is the clock calls around it.
PEER_MIN_MS = 0.05
# The JIT tier is compared with the other compilers of a single pass: Liftoff, the JIT peers
# (WAMR's fast JIT) and native code. Its ratios are those of the main tables (reference figure at
# least MIN_FIGURE_MS), so the section's geometric means are the tables' ones.
BASELINE_STRATA = 'strata-baseline'
LIFTOFF = 'v8-liftoff'
# The optimizing tier is compared with the other optimizing compilers: TurboFan, the optimizing
# peers (WAMR's LLVM JIT) and native code, with the same ratios (issue 11's targets).
LLVM_STRATA = 'strata-llvm'
TURBOFAN = 'v8-turbofan'
LLVM_TARGETS = {'to_native': 1.25, 'to_peer_geomean': 0.95, 'to_peer_worst': 1.05}
# The eager compile of Liftoff (run.py V8_COMPILE) the compile-speed ratios are taken against; the
# one-thread figure is shown beside it.
COMPILE_REFERENCE = 'v8-liftoff-eager'
COMPILE_ONE_THREAD = 'v8-liftoff-eager-1thread'
# A parallel tier's compile on a fixed number of threads (run.py COMPILE_THREADS): strata-llvm-2threads.
# Issue 12: loading a .cwasm of the largest program costs at most this fraction of compiling it.
ARTIFACT_LOAD_TARGET = 0.02
THREAD_TIMER = re.compile(r'^(strata-[\w-]+?)-(\d+)threads?$')


def _first_line(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return None


def machine():
    cpu = None
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
        mem_kb = int(Path('/proc/meminfo').read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = None
    distro = None
    if Path('/etc/os-release').exists():
        for line in Path('/etc/os-release').read_text().splitlines():
            if line.startswith('PRETTY_NAME='):
                distro = line.split('=', 1)[1].strip('"')
    return {'cpu': cpu, 'cores': os.cpu_count(), 'kernel': platform.release(), 'os': distro,
            'memory_gib': round(mem_kb / 2**20, 1) if mem_kb else None,
            'load_average_at_end': [round(x, 2) for x in os.getloadavg()]}


def git_state(repo):
    commit = _first_line(['git', '-C', str(repo), 'rev-parse', 'HEAD'])
    subject = _first_line(['git', '-C', str(repo), 'log', '-1', '--format=%s'])
    # The driver is built from the work tree: say when its sources differ from the commit.
    r = subprocess.run(['git', '-C', str(repo), 'status', '--porcelain', '--', 'src', 'include', 'bench'],
                       capture_output=True, text=True)
    changed = len(r.stdout.splitlines()) if r.returncode == 0 else None
    return {'commit': commit, 'subject': subject, 'changed_files': changed}


def _stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {'median': statistics.median(values), 'min': min(values), 'max': max(values)}


def summarize(res, peer=False):
    """Per engine: medians with min and max (ms), start-up figures and the spread of the runs.

    A run that went wrong gives {'error': why} or, on a peer, {'cannot_run': the peer's message}.
    """
    if res['error']:
        return {'cannot_run' if peer else 'error': res['error'], 'argv': res.get('argv')}
    runs = res['runs']
    ms = lambda key: _stats([r[key] / 1e6 if r[key] is not None else None for r in runs])
    bench = ms('bench_ns')
    values = [r['bench_ns'] / 1e6 for r in runs]
    spread = mad = None
    if bench and bench['median'] >= MIN_FIGURE_MS:  # relative noise of a near-zero figure means nothing
        spread = (bench['max'] - bench['min']) / bench['median']
        mad = statistics.median(abs(v - bench['median']) for v in values) / bench['median']
    rss = _stats([r['peak_rss_kb'] for r in runs])
    return {'runs': len(runs), 'bench_ms': bench, 'bench_ms_runs': values, 'wall_ms': ms('wall_ns'),
            'compile_ms': ms('compile_ns'), 'instantiate_ms': ms('instantiate_ns'),
            'peak_rss_mib': rss and rss['median'] / 1024, 'spread': spread, 'mad': mad,
            'checked_against': res.get('checked_against')}


def _ratio(a, b):
    if not a or not b or 'bench_ms' not in a or 'bench_ms' not in b or b['bench_ms']['median'] < MIN_FIGURE_MS:
        return None
    return a['bench_ms']['median'] / b['bench_ms']['median']


def _geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def _versus(programs, strata, peer, min_ms=PEER_MIN_MS):
    """A Strata tier against one other engine: per-program ratios strata / peer, wins, geometric mean.

    "peer" is any engine here (a peer, v8-liftoff, native); programs under min_ms on it are listed
    but not counted.
    """
    rows, counted = {}, []
    for p in programs:
        s, o, n = (p['engines'].get(k) for k in (strata, peer, 'native'))
        if not o or 'bench_ms' not in o:  # the peer did not run it (cannot, or no such program)
            continue
        strata_ms = s['bench_ms']['median'] if s and 'bench_ms' in s else None
        peer_ms = o['bench_ms']['median']
        row = {'strata_ms': strata_ms, 'peer_ms': peer_ms,
               'native_ms': n['bench_ms']['median'] if n and 'bench_ms' in n else None,
               'ratio': strata_ms / peer_ms if strata_ms is not None and peer_ms > 0 else None,
               'counted': strata_ms is not None and peer_ms >= min_ms}
        rows[p['name']] = row
        if row['counted']:
            counted.append((row['ratio'], p['name']))
    worst = max(counted, default=None)
    return {
        'against': strata, 'min_peer_ms': min_ms, 'programs': rows,
        # count: programs both ran, the peer above min_peer_ms; wins: those where Strata is faster.
        'count': len(counted), 'wins': sum(1 for r, _ in counted if r < 1.0),
        'geomean': _geomean([r for r, _ in counted]),
        'worst': {'program': worst[1], 'ratio': worst[0]} if worst else None,
        'left_out': [name for name, row in rows.items() if row['peer_ms'] < min_ms],
        'cannot_run': [p['name'] for p in programs if 'cannot_run' in p['engines'].get(peer, {})],
    }


def _ran(programs, name):
    return any('bench_ms' in p['engines'].get(name, {}) for p in programs)


def _compile_speed(measured, programs, names):
    """Per program: code section size, each Strata tier's compile time (median of its runs) and
    MB/s, Liftoff's eager compile (run.py V8_COMPILE) and the speed ratio Liftoff ms / Strata ms."""
    rows = {}
    for (program, _), p in zip(measured, programs):
        if not program.code_bytes:
            continue
        mb_s = lambda ms: program.code_bytes / 1e6 / (ms / 1e3) if ms else None
        strata = {}
        for name, s in p['engines'].items():
            if name.startswith('strata-') and s.get('compile_ms'):
                ms = s['compile_ms']['median']
                strata[name] = {'ms': ms, 'mb_s': mb_s(ms)}
        v8 = {}
        for name, timing in program.compile_timing.items():
            if not name.startswith('v8-'):
                continue  # a Strata tier on a fixed number of threads: _compile_threads
            stats = _stats([ns / 1e6 for ns in timing['runs']])
            if stats:
                v8[name] = dict(stats, mb_s=mb_s(stats['median']), runs=len(timing['runs']))
        ref, one = v8.get(COMPILE_REFERENCE), v8.get(COMPILE_ONE_THREAD)
        rows[p['name']] = {
            'code_bytes': program.code_bytes, 'strata': strata, 'v8': v8,
            # Over 1: the Strata tier compiles faster than Liftoff.
            'liftoff_over_strata': {n: ref['median'] / t['ms'] for n, t in strata.items() if ref and t['ms']},
            # The same against Liftoff on one thread: core for core, as Strata compiles a module of
            # less than 128 KiB of bodies on the calling thread alone.
            'liftoff1_over_strata': {n: one['median'] / t['ms'] for n, t in strata.items() if one and t['ms']},
        }
    summary = {}
    tiers = [n for n in names if any(n in r['strata'] for r in rows.values())]  # the tables' order
    for n in tiers:
        speeds = [(r['strata'][n]['mb_s'], r['code_bytes'], name) for name, r in rows.items() if n in r['strata']]
        ratios = [(r['liftoff_over_strata'][n], name) for name, r in rows.items() if n in r['liftoff_over_strata']]
        largest = max(speeds, key=lambda v: v[1])
        slowest = min(ratios, default=None)
        summary[n] = {
            'median_mb_s': statistics.median(v[0] for v in speeds),
            'largest': {'program': largest[2], 'code_bytes': largest[1], 'mb_s': largest[0]},
            'liftoff_over_strata_geomean': _geomean([r for r, _ in ratios]), 'programs': len(ratios),
            'liftoff_over_strata_min': {'program': slowest[1], 'ratio': slowest[0]} if slowest else None,
            'liftoff1_over_strata_geomean': _geomean([r['liftoff1_over_strata'][n] for r in rows.values()
                                                      if n in r['liftoff1_over_strata']]),
        }
    return {'reference': COMPILE_REFERENCE, 'programs': rows, 'summary': summary} if rows else None


def _compile_threads(measured):
    """A parallel tier's whole-module compile time per program on each thread count measured
    (strata_bench --compile-only, run.py COMPILE_THREADS): medians, the threads and batches the tier
    reported, the speed-up of the most threads over one; then per tier the sums and the geometric
    mean of the speed-up."""
    rows, tiers = {}, {}
    for program, _ in measured:
        for name, timing in program.compile_timing.items():
            m = THREAD_TIMER.match(name)
            stats = m and _stats([ns / 1e6 for ns in timing['runs']])
            if not stats:
                continue
            tier, n = m.group(1), int(m.group(2))
            tiers.setdefault(tier, set()).add(n)
            row = rows.setdefault(program.name, {'code_bytes': program.code_bytes})
            load = _stats([ns / 1e6 for ns in timing.get('load_runs', [])])
            row.setdefault(tier, {})[str(n)] = dict(stats, runs=len(timing['runs']), threads=timing.get('threads'),
                                                    batches=timing.get('batches'), load_ms=load and load['median'])
    if not rows:
        return None
    summary = {}
    for tier, counts in tiers.items():
        lo, hi = str(min(counts)), str(max(counts))
        both = [(name, r[tier]) for name, r in rows.items() if lo in r.get(tier, {}) and hi in r.get(tier, {})]
        for _, t in both:
            t['speedup'] = t[lo]['median'] / t[hi]['median'] if lo != hi else None
        # Modules the tier handed to another (no threads line: GC, exceptions) say nothing of its threads.
        own = [(name, t) for name, t in both if t[lo]['batches'] is not None]
        slowest = max(own, key=lambda v: v[1][lo]['median'], default=None)
        loads = [t[c]['load_ms'] for _, t in both for c in (lo, hi) if t[c]['load_ms'] is not None]
        summary[tier] = {
            'load_ms_median': statistics.median(loads) if loads else None,
            'counts': sorted(counts), 'programs': len(own),
            'total_ms': {c: sum(t[c]['median'] for _, t in own) for c in (lo, hi)},
            'speedup_geomean': _geomean([t['speedup'] for _, t in own]),
            'speedup_geomean_multi_batch': _geomean([t['speedup'] for _, t in own if t[lo]['batches'] > 1]),
            'multi_batch_programs': sum(1 for _, t in own if t[lo]['batches'] > 1),
            'slowest': {'program': slowest[0], 'ms': {c: slowest[1][c]['median'] for c in (lo, hi)}} if slowest else None,
        }
    return {'programs': rows, 'summary': summary}


def _startup(startup):
    """Medians of the whole-process runs of noop; Strata's figures as ms above the native program's."""
    if not startup:
        return None
    engines = {}
    for name, runs in startup['wall_ns'].items():
        if name in startup['errors']:
            engines[name] = {'error': startup['errors'][name]}
        else:
            engines[name] = _stats([ns / 1e6 for ns in runs])
    native = engines.get('native')
    native_runs = startup['wall_ns'].get('native', [])
    for name, e in engines.items():
        if name != 'native' and e and 'median' in e and native and 'median' in native:
            e['above_native_ms'] = e['median'] - native['median']
            # The same rounds paired: round i's run minus the native run of round i. The rounds
            # alternate the engines, so a round's machine state is common to both and cancels.
            runs = startup['wall_ns'][name]
            if len(runs) == len(native_runs) and len(runs) >= 4:
                diffs = sorted((a - b) / 1e6 for a, b in zip(runs, native_runs))
                q = statistics.quantiles(diffs, n=4)
                e['paired_above_ms'] = {'median': statistics.median(diffs), 'q1': q[0], 'q3': q[2]}
    return {'program': startup['program'], 'cli': startup['cli'], 'runs': startup['runs'], 'engines': engines}


def build(args, engines, measured, repo, elapsed, startup=None, load=None):
    names = [e.name for e in engines]
    peer_names = [e.name for e in engines if e.peer]
    programs = []
    for program, results in measured:
        summary = {name: summarize(res, name in peer_names) for name, res in results.items()}
        native, v8, liftoff, turbofan = (summary.get(n) for n in ('native', 'v8', LIFTOFF, TURBOFAN))
        programs.append({
            'name': program.name, 'suite': program.suite, 'args': program.args, 'code_bytes': program.code_bytes,
            'engines': summary,
            'to_native': {n: _ratio(s, native) for n, s in summary.items() if native},
            'to_v8': {n: _ratio(s, v8) for n, s in summary.items() if v8},
            'to_liftoff': {n: _ratio(s, liftoff) for n, s in summary.items() if liftoff},
            'to_turbofan': {n: _ratio(s, turbofan) for n, s in summary.items() if turbofan},
        })
    baseline = BASELINE_STRATA in names and _ran(programs, BASELINE_STRATA)
    llvm = LLVM_STRATA in names and _ran(programs, LLVM_STRATA)
    # An optimizing peer goes with the llvm tier; without it, with the JIT peers.
    llvm_peers = [e.name for e in engines if e.peer and e.peer_kind == 'llvm'] if llvm else []
    jit_peers = [e.name for e in engines if e.peer and e.peer_kind in ('jit', 'llvm') and e.name not in llvm_peers]
    geomean, noise = {}, {}
    for name in names:
        to_native = [p['to_native'].get(name) for p in programs]
        to_v8 = [p['to_v8'].get(name) for p in programs]
        to_liftoff = [p['to_liftoff'].get(name) for p in programs]
        to_turbofan = [p['to_turbofan'].get(name) for p in programs]
        geomean[name] = {'to_native': _geomean(to_native), 'to_native_programs': sum(1 for v in to_native if v),
                         'to_v8': _geomean(to_v8), 'to_v8_programs': sum(1 for v in to_v8 if v),
                         'to_liftoff': _geomean(to_liftoff), 'to_liftoff_programs': sum(1 for v in to_liftoff if v),
                         'to_turbofan': _geomean(to_turbofan),
                         'to_turbofan_programs': sum(1 for v in to_turbofan if v)}
        spreads = [p['engines'][name]['spread'] for p in programs
                   if name in p['engines'] and p['engines'][name].get('spread') is not None]
        mads = [p['engines'][name]['mad'] for p in programs
                if name in p['engines'] and p['engines'][name].get('mad') is not None]
        if spreads:
            noise[name] = {'median_spread': statistics.median(spreads), 'max_spread': max(spreads),
                           'median_mad': statistics.median(mads)}
    return {
        'date': time.strftime('%Y-%m-%d %H:%M:%S %Z'), 'git': git_state(repo), 'machine': dict(machine(), load=load),
        'tools': {'clang': _first_line([args.clang, '--version']), 'strata_bench': args.strata,
                  # The node the V8 engines ran (STRATA_BENCH_NODE may name another than PATH's).
                  'node': _first_line([next((e.command for e in engines if e.kind == 'node'), None)
                                       or shutil.which('node') or 'node', '--version'])
                  if any(n.startswith('v8') for n in names) else None},
        'method': {'quick': args.quick, 'warmup': 0 if args.quick else args.warmup, 'runs': args.runs,
                   'order': 'every engine once per round, same order each round (A B C A B C)',
                   'elapsed_s': round(elapsed, 1)},
        'engines': names, 'peer_engines': peer_names, 'jit_peers': jit_peers, 'llvm_peers': llvm_peers,
        'programs': programs,
        'geomean': geomean, 'noise': noise,
        # Strata's interpreter against each peer that ran something (empty without peers); a JIT peer
        # goes to 'baseline' instead when the baseline tier was measured.
        'peers': {n: _versus(programs, PEER_STRATA, n) for n in peer_names
                  if PEER_STRATA in names and _ran(programs, n) and not (n in jit_peers and baseline)
                  and n not in llvm_peers},
        # Strata's baseline tier against Liftoff, the JIT peers and native code (None without it).
        'baseline': {
            'against': BASELINE_STRATA, 'min_ms': MIN_FIGURE_MS,
            'versus': {n: _versus(programs, BASELINE_STRATA, n, MIN_FIGURE_MS)
                       for n in [LIFTOFF] + jit_peers + ['native'] if n in names and _ran(programs, n)},
        } if baseline else None,
        # Strata's llvm tier against TurboFan, the optimizing peers and native code (None without it).
        'llvm': {
            'against': LLVM_STRATA, 'min_ms': MIN_FIGURE_MS, 'targets': LLVM_TARGETS,
            'versus': {n: _versus(programs, LLVM_STRATA, n, MIN_FIGURE_MS)
                       for n in [TURBOFAN] + llvm_peers + ['native'] if n in names and _ran(programs, n)},
        } if llvm else None,
        'compile': _compile_speed(measured, programs, names),
        'compile_threads': _compile_threads(measured),
        'startup': _startup(startup),
        # What went wrong: failures of the run, and programs a peer cannot run (not failures).
        'failures': [{'program': p['name'], 'engine': n, 'error': s['error']}
                     for p in programs for n, s in p['engines'].items() if 'error' in s]
        + [{'program': program.name, 'engine': n, 'error': t['error']}
           for program, _ in measured for n, t in program.compile_timing.items() if t['error']]
        + [{'program': f'{startup["program"]} (start-up)', 'engine': n, 'error': err}
           for n, err in (startup['errors'].items() if startup else ())],
        'peers_cannot_run': [{'program': p['name'], 'engine': n, 'error': s['cannot_run']}
                             for p in programs for n, s in p['engines'].items() if 'cannot_run' in s],
    }


# ---------------------------------------------------------------------------------------------
# Markdown

def _fmt_ms(v):
    return '-' if v is None else (f'{v:.0f}' if v >= 100 else f'{v:.1f}' if v >= 1 else f'{v:.2f}')


def _fmt_ratio(v):
    return '' if v is None else (f'{v:.0f}×' if v >= 100 else f'{v:.1f}×' if v >= 1 else f'{v:.2f}×')


def _fmt_speed(v):
    """MB/s: one decimal, three significant digits under 1 (the llvm tier compiles tens of KB/s)."""
    return '-' if v is None else f'{v:.1f}' if v >= 1 else f'{v:.3g}'


def _fmt_fine(v):
    """Milliseconds with three significant digits at least, so that 0.0093 is not 0.00."""
    return '-' if v is None else _fmt_ms(v) if v >= 1 else f'{v:.3g}'


def _not_run(s):
    """The cell of a run without a figure: a failure, or a program the peer cannot run."""
    return '**FAIL**' if 'error' in s else 'n/a'


def _cell(p, name, ratio_key):
    s = p['engines'].get(name)
    if s is None:
        return ''
    if 'bench_ms' not in s:
        return _not_run(s)
    r = p[ratio_key].get(name)
    reference = 'native' if ratio_key == 'to_native' else 'v8'
    ratio = f' ({_fmt_ratio(r)})' if r is not None and name != reference else ''
    return _fmt_ms(s['bench_ms']['median']) + ratio


def markdown(doc):
    m, g, meth = doc['machine'], doc['git'], doc['method']
    names = doc['engines']
    lines = [
        '# Strata benchmark results', '',
        f'- commit `{(g["commit"] or "?")[:12]}` ({g["subject"]}), {doc["date"]}'
        + (f'; the work tree differed in {g["changed_files"]} file(s) of src/, include/, bench/'
           if g.get('changed_files') else ''),
        f'- Strata driver: `{doc["tools"].get("strata_bench")}`',
        f'- machine: {m["cpu"]}, {m["cores"]} cores, {m["memory_gib"]} GiB, Linux {m["kernel"]} ({m["os"]}); '
        f'load average at the end {m["load_average_at_end"]} (other work on the machine widens the spread)'
        + _load_text(m.get('load')),
        f'- tools: {doc["tools"]["clang"]}; node {doc["tools"]["node"] or "absent"}',
        f'- method: {meth["warmup"]} warm-up run(s), then {meth["runs"]} run(s) per engine alternated '
        f'({meth["order"]}); every run\'s output checked. Figure: time between `bench.start` and `bench.end`, '
        'median in ms; in brackets the ratio to native (bench/programs) or to V8 default (Sightglass), '
        f'none when the reference figure is under {MIN_FIGURE_MS} ms. Geometric means over the programs with a ratio.',
        '',
    ]
    lines += _peer_section(doc)
    lines += _baseline_section(doc)
    lines += _llvm_section(doc)
    header = '| program | ' + ' | '.join(names) + ' |'
    rule = '|---|' + '---:|' * len(names)
    for suite, title, key in (('programs', 'bench/programs (ratio to native)', 'to_native'),
                              ('sightglass', 'Sightglass programs (ratio to V8 default)', 'to_v8')):
        rows = [p for p in doc['programs'] if p['suite'] == suite]
        if not rows:
            continue
        lines += [f'## {title}', '', header, rule]
        for p in rows:
            lines.append(f'| {p["name"]} | ' + ' | '.join(_cell(p, n, key) for n in names) + ' |')
        lines.append('')
    lines += ['## Every figure: median (min - max) ms', '', header, rule]
    for p in doc['programs']:
        cells = []
        for n in names:
            s = p['engines'].get(n)
            b = s and s.get('bench_ms')
            cells.append(_not_run(s) if s and 'bench_ms' not in s else
                         f'{_fmt_ms(b["median"])} ({_fmt_ms(b["min"])} - {_fmt_ms(b["max"])})' if b else '')
        lines.append(f'| {p["name"]} | ' + ' | '.join(cells) + ' |')
    lines += ['', '## Geometric means of the ratios', '',
              f'Over every program with a ratio: reference figures (native, V8) of at least {MIN_FIGURE_MS} ms.', '',
              '| engine | / native | / V8 default | / V8 Liftoff | / V8 TurboFan |', '|---|---:|---:|---:|---:|']
    for n in names:
        gm = doc['geomean'][n]
        lines.append('| ' + ' | '.join([n] + [f'{_fmt_ratio(gm[k])} ({gm[k + "_programs"]} programs)' for k in
                                              ('to_native', 'to_v8', 'to_liftoff', 'to_turbofan')]) + ' |')
    lines += ['', '## Noise of repeated runs', '',
              'Per program and engine: the spread (max - min) / median and the median absolute deviation / median '
              f'of the measured runs; then the median over programs, and the worst program. Figures under '
              f'{MIN_FIGURE_MS} ms are left out.', '',
              '| engine | spread, median | spread, worst | MAD, median |', '|---|---:|---:|---:|']
    for n, s in doc['noise'].items():
        lines.append(f'| {n} | {s["median_spread"] * 100:.1f}% | {s["max_spread"] * 100:.1f}% | '
                     f'{s["median_mad"] * 100:.1f}% |')
    lines += [''] + _compile_section(doc) + _compile_threads_section(doc) + _startup_section(doc) + _artifacts_section(doc)
    lines += ['## Start-up and memory (medians)', '',
              '| program | engine | compile ms | instantiate ms | whole process ms | peak RSS MiB |',
              '|---|---|---:|---:|---:|---:|']
    for p in doc['programs']:
        for n, s in p['engines'].items():
            if 'bench_ms' not in s or n == 'native':
                continue
            lines.append(f'| {p["name"]} | {n} | {_fmt_ms(s["compile_ms"] and s["compile_ms"]["median"])} | '
                         f'{_fmt_ms(s["instantiate_ms"] and s["instantiate_ms"]["median"])} | '
                         f'{_fmt_ms(s["wall_ms"]["median"])} | {_fmt_rss(s["peak_rss_mib"])} |')
    if doc['failures']:
        lines += ['', '## Failures (wrong output or no figure: never timed)', '']
        lines += [f'- {f["program"]} on {f["engine"]}: {f["error"]}' for f in doc['failures']]
    if doc['peers_cannot_run']:
        lines += ['', '## Peer cannot run (not failures of the run: `n/a` in the tables)', '']
        lines += [f'- {f["program"]} on {f["engine"]}: {f["error"]}' for f in doc['peers_cannot_run']]
    return '\n'.join(lines) + '\n'


def _load_text(load):
    """The load sampled during the run (run.py LoadSampler)."""
    if not load:
        return ''
    busy = load['busy_mean']
    return (f'; during the run, 1-minute load average median {load["load1_median"]:.2f}, max {load["load1_max"]:.2f}'
            + (f', the {load["cores"]} cores busy {busy * 100:.0f}% of their time (the harness alone keeps about '
               'one core busy)' if busy is not None else '')
            + f' ({load["samples"]} samples, every {load["period_s"]:.0f} s)')


def _fmt_rss(mib):
    return '-' if mib is None else f'{mib:.1f}'


def _fmt_peer_ratio(row, min_ms=PEER_MIN_MS, bold=True):
    """strata / peer, 3 decimals, bold when Strata is not faster; † when left out of the means."""
    r = row['ratio']
    if r is None:
        return ''
    text = f'{r:.3f}'
    if row['peer_ms'] < min_ms:
        return text + ' †' if min_ms == PEER_MIN_MS else f'({text})'
    return f'**{text}**' if bold and r >= 1.0 else text


def _peer_section(doc):
    """Strata's interpreter against the peers: a row per program a peer ran, then a line per peer."""
    versus = doc.get('peers') or {}
    if not versus:
        return []
    lines = ["## Strata's interpreter against the peers", '',
             f'Median ms of `{PEER_STRATA}` and of each peer (self-timed builds, see bench/README.md), native '
             'for bench/programs, and the ratio strata / peer: under 1 Strata is faster, **bold** when it is '
             'not. `n/a`: the peer cannot run the program (list at the end).', '']
    lines += _versus_table(doc, PEER_STRATA, versus, 'strata')
    left_out = sorted({name for v in versus.values() for name in v['left_out']})
    if left_out:
        lines += ['', f'† Left out of the counts and geometric means: {", ".join(left_out)}, under '
                  f'{PEER_MIN_MS} ms on the peer (the work is optimised away; the figure is the clock calls '
                  f'around nothing).']
    lines.append('')
    return lines


def _tier_section(doc, key, strata, against, engines_note=''):
    """A machine-code tier against the engines of its class (doc[key]['versus']): ratios tier / engine."""
    b = doc.get(key)
    if not b or not b['versus']:
        return []
    label = strata.removeprefix('strata-')
    lines = [f"## Strata's {label} tier against {against}", '',
             f'Median ms of `{strata}` and of each engine ({engines_note}peers: self-timed builds, see '
             f'bench/README.md), and the ratio {label} / engine: under 1 the {label} tier is faster, '
             f'**bold** when it is not (but against native). In brackets and not counted: the engine\'s figure '
             f'is under {MIN_FIGURE_MS} ms (as in the geometric means below); `n/a`: the engine cannot run the '
             'program.', '']
    lines += _versus_table(doc, strata, b['versus'], label)
    lines.append('')
    return lines


def _baseline_section(doc):
    """Strata's baseline tier against Liftoff, the JIT peers and native code."""
    return _tier_section(doc, 'baseline', BASELINE_STRATA, 'Liftoff, the JIT peers and native code')


def _llvm_section(doc):
    """Strata's llvm tier against TurboFan, the optimizing peers and native code, and issue 11's targets."""
    lines = _tier_section(doc, 'llvm', LLVM_STRATA, "TurboFan, WAMR's LLVM JIT and native code",
                          f'`{TURBOFAN}`: node `--no-liftoff`; ')
    return lines + _llvm_targets(doc['llvm']) + [''] if lines else []


def _llvm_targets(b):
    """Issue 11's performance targets, each with its figure from this run."""
    t, versus, lines = b['targets'], b['versus'], []
    native = versus.get('native')
    if native and native['geomean'] is not None:
        ok = native['geomean'] <= t['to_native']
        lines.append(f'- llvm/native geometric mean {native["geomean"]:.3f} over {native["count"]} programs '
                     f'(target at most {t["to_native"]}): {"met" if ok else "**not met**"}.')
    for n, v in versus.items():
        if n == 'native' or v['geomean'] is None:
            continue
        slower = sorted(((row['ratio'], name) for name, row in v['programs'].items()
                         if row['counted'] and row['ratio'] >= 1.0), reverse=True)
        if n == TURBOFAN:
            ok = not slower and not v['cannot_run']
            lines.append(f'- faster than {n} on every program: {v["wins"]} of {v["count"]}'
                         + (f'; not on {", ".join(f"{name} ({r:.3f})" for r, name in slower)}' if slower else '')
                         + f': {"met" if ok else "**not met**"}.')
            continue
        over = [(r, name) for r, name in slower if r > t['to_peer_worst']]
        ok = v['geomean'] <= t['to_peer_geomean'] and not over
        lines.append(f'- llvm/{n} geometric mean {v["geomean"]:.3f} (target at most {t["to_peer_geomean"]}), '
                     f'{len(over)} program(s) more than {(t["to_peer_worst"] - 1) * 100:.0f}% slower'
                     + (f' ({", ".join(f"{name} {r:.3f}" for r, name in over)})' if over else '')
                     + f': {"met" if ok else "**not met**"}.')
    return ['Issue 11\'s targets in this run:', ''] + lines if lines else []


def _versus_table(doc, strata, versus, label):
    """Rows: the Strata engine's ms, each other engine's ms, native ms, the ratios; then a line per engine."""
    others = list(versus)
    native_column = 'native' not in versus
    programs = [p for p in doc['programs'] if any(p['name'] in versus[n]['programs'] for n in others)]
    lines = [f'| program | {strata} ms | ' + ' | '.join(f'{n} ms' for n in others)
             + (' | native ms' if native_column else '') + ' | '
             + ' | '.join(f'{label}/{n}' for n in others) + ' |',
             '|---|---:|' + '---:|' * (2 * len(others) + native_column)]
    for p in programs:
        s = p['engines'].get(strata)
        own = _fmt_fine(s['bench_ms']['median']) if s and 'bench_ms' in s else _not_run(s) if s else ''
        native = p['engines'].get('native')
        times, ratios = [], []
        for n in others:
            row = versus[n]['programs'].get(p['name'])
            o = p['engines'].get(n)
            times.append(_fmt_fine(row['peer_ms']) if row else _not_run(o) if o else '')
            ratios.append(_fmt_peer_ratio(row, versus[n]['min_peer_ms'], bold=n != 'native')
                          if row else 'n/a' if o else '')
        if native_column:
            times.append(_fmt_fine(native['bench_ms']['median']) if native and 'bench_ms' in native else '')
        lines.append(f'| {p["name"]} | {own} | ' + ' | '.join(times) + ' | ' + ' | '.join(ratios) + ' |')
    lines.append('')
    for n in others:
        v = versus[n]
        ran = len(v['programs'])
        line = (f'- **{n}**: ran {ran} program(s)' + (f', cannot run {len(v["cannot_run"])}' if v['cannot_run'] else '')
                + f'; over the {v["count"]} counted, {strata} is faster on {v["wins"]}')
        if v['geomean'] is not None:
            line += (f', geometric mean of {label}/{n} {v["geomean"]:.3f}, worst {v["worst"]["ratio"]:.3f} '
                     f'({v["worst"]["program"]})')
        lines.append(line + '.')
    return lines


def _compile_section(doc):
    """Compile time per Strata tier in MB/s of code section, beside Liftoff's eager compile."""
    c = doc.get('compile')
    if not c:
        return []
    tiers = list(c['summary'])
    v8 = [n for n in (COMPILE_REFERENCE, COMPILE_ONE_THREAD) if any(n in r['v8'] for r in c['programs'].values())]
    lines = ['## Compile speed', '',
             'Strata: `Module::fromFile` in strata_bench (the file mapped, then decoding, validation and code for every '
             'function; the driver starts like the `strata` tool, a first heap populated before `main`), '
             'the median over the runs above; MB/s of the module\'s code section (1 MB = 10^6 bytes). '
             f'`{COMPILE_REFERENCE}`: node `--liftoff-only --no-wasm-lazy-compilation` timing '
             '`new WebAssembly.Module(bytes)` (bench/node_compile.mjs), one fresh process per round, alternated '
             f'with the engines, median; V8 spreads it over background threads, `{COMPILE_ONE_THREAD}` is the '
             'same on one thread (`--wasm-num-compilation-tasks=0`). Liftoff/tier: Liftoff\'s ms over the '
             'tier\'s, over 1 when the tier compiles faster.', '',
             '| program | code KiB | ' + ' | '.join(f'{n} ms | {n} MB/s' for n in tiers)
             + ''.join(f' | {n} ms' for n in v8) + (f' | Liftoff MB/s' if v8 else '')
             + ''.join(f' | Liftoff/{n.removeprefix("strata-")}' for n in tiers) + ' |',
             '|---|---:|' + '---:|' * (2 * len(tiers) + len(v8) + (1 if v8 else 0) + len(tiers))]
    for name, r in c['programs'].items():
        cells = [name, f'{r["code_bytes"] / 1024:.1f}']
        for n in tiers:
            t = r['strata'].get(n)
            cells += [_fmt_fine(t['ms']), _fmt_speed(t['mb_s'])] if t else ['-', '-']
        for n in v8:
            cells.append(_fmt_fine(r['v8'][n]['median']) if n in r['v8'] else '-')
        if v8:
            ref = r['v8'].get(COMPILE_REFERENCE)
            cells.append(_fmt_speed(ref['mb_s']) if ref else '-')
        for n in tiers:
            ratio = r['liftoff_over_strata'].get(n)
            cells.append(f'{ratio:.2f}' if ratio is not None else '')
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines.append('')
    for n, sm in c['summary'].items():
        line = (f'- **{n}**: median {_fmt_speed(sm["median_mb_s"])} MB/s over the programs; {_fmt_speed(sm["largest"]["mb_s"])} MB/s on '
                f'the largest code section ({sm["largest"]["program"]}, {sm["largest"]["code_bytes"] / 1024:.0f} KiB)')
        if sm['liftoff_over_strata_geomean'] is not None:
            line += (f'; Liftoff/{n.removeprefix("strata-")} geometric mean {sm["liftoff_over_strata_geomean"]:.2f} '
                     f'over {sm["programs"]} programs, lowest {sm["liftoff_over_strata_min"]["ratio"]:.2f} '
                     f'({sm["liftoff_over_strata_min"]["program"]})')
        if sm.get('liftoff1_over_strata_geomean') is not None:
            line += f'; against Liftoff on one thread {sm["liftoff1_over_strata_geomean"]:.2f}'
        lines.append(line + '.')
    lines.append('')
    return lines


def artifacts_summary(artifacts):
    """Medians of run.py measure_artifacts: per program and tier, compile and load ms and their ratio
    (issue 12: loading the .cwasm of the largest program at most 2% of compiling it)."""
    if not artifacts:
        return None
    rows = {}
    for name, r in artifacts['programs'].items():
        row = rows.setdefault(name, {'code_bytes': r['code_bytes']})
        for tier, t in r.items():
            if tier == 'code_bytes':
                continue
            c, lo = _stats([ns / 1e6 for ns in t['compile']]), _stats([ns / 1e6 for ns in t['load']])
            if c and lo:
                row[tier] = {'compile_ms': c['median'], 'load_ms': lo['median'], 'load_min': lo['min'], 'load_max': lo['max'],
                             'ratio': lo['median'] / c['median'], 'cwasm_bytes': t['cwasm_bytes']}
    return {'runs': artifacts['runs'], 'programs': rows, 'errors': artifacts['errors'], 'target': ARTIFACT_LOAD_TARGET}


def _artifacts_section(doc):
    a = doc.get('artifacts')
    if not a or not a['programs']:
        return []
    lines = ['## Loading a compiled artifact against compiling', '',
             f'`strata_bench --tier T --compile-only` on the largest programs, on the `.wasm` (decoding, validation '
             f'and code generation: `Module::fromFile`) and on its `.cwasm` from `strata compile --tier T` '
             f'(`Module::deserializeFile`: checksum, checks, decoding the module\'s sections, mapping the code), one '
             f'fresh process each, {a["runs"]} alternated rounds, median ms. Issue 12\'s target: loading the '
             f'.cwasm of the largest program at most {a["target"]:.0%} of compiling it; the other rows are '
             f'for reference (a smaller module\'s load is mostly fixed costs: the file\'s mapping, the checksum of '
             f'the whole file, the module\'s sections decoded again).', '',
             '| program | code KiB | tier | compile ms | load ms | load / compile | .cwasm KiB |',
             '|---|---:|---|---:|---:|---:|---:|']
    largest = max(a['programs'], key=lambda n: a['programs'][n]['code_bytes'])
    for name, r in a['programs'].items():
        for tier, t in r.items():
            if tier == 'code_bytes':
                continue
            met = ('met' if t['ratio'] <= a['target'] else '**not met**') if name == largest else 'reference'
            lines.append(f'| {name} | {r["code_bytes"] / 1024:.1f} | {tier} | {_fmt_fine(t["compile_ms"])} | '
                         f'{_fmt_fine(t["load_ms"])} | {t["ratio"]:.2%} ({met}) | {t["cwasm_bytes"] / 1024:.0f} |')
    for what, err in a['errors'].items():
        lines.append(f'- {what}: {err}')
    return lines + ['']


def _compile_threads_section(doc):
    """A parallel tier's whole-module compile time on 1 and 2 threads, per program."""
    c = doc.get('compile_threads')
    if not c:
        return []
    lines = []
    for tier, sm in c['summary'].items():
        counts = [str(n) for n in sm['counts']]
        lo, hi = counts[0], counts[-1]
        lines += [f'## Compile time of {tier} on {" and ".join(counts)} threads', '',
                  f'`strata_bench --tier {tier.removeprefix("strata-")} --compile-only` (Module::fromFile: decoding, '
                  'validation, translation, optimization and code generation of the whole module) with the thread '
                  'count fixed (`STRATA_COMPILE_THREADS`), one fresh process per round, alternated with the engines, '
                  'median ms; MB/s of code section. One-time costs of a process (libLLVM\'s load for llvm, the '
                  'stubs for baseline) are left out: strata_bench compiles a module of one empty function first'
                  + (f' (median {sm["load_ms_median"]:.1f} ms)' if sm['load_ms_median'] is not None else '')
                  + '; the compile column of the tables above includes them. Batches: the units of work the tier '
                  'shares among its threads (llvm\'s batches, baseline\'s chunks; a module of one cannot use two '
                  'threads). †: the tier handed the module to another (GC, exception handling): the figure is '
                  'that tier\'s.', '',
                  '| program | code KiB | batches | ' + ' | '.join(f'{n} thread{"s" * (n != "1")} ms' for n in counts)
                  + ' | ' + ' | '.join(f'MB/s on {n}' for n in counts) + f' | {lo}/{hi} |',
                  '|---|---:|---:|' + '---:|' * (2 * len(counts) + 1)]
        for name, r in c['programs'].items():
            t = r.get(tier)
            if not t:
                continue
            batches = next((t[n]['batches'] for n in counts if n in t and t[n]['batches'] is not None), None)
            mark = '' if batches is not None else ' †'
            code = r['code_bytes']
            cells = [name, f'{code / 1024:.1f}' if code else '-', str(batches) if batches is not None else '-']
            cells += [_fmt_fine(t[n]['median']) + mark if n in t else '-' for n in counts]
            cells += [_fmt_speed(code / 1e6 / (t[n]['median'] / 1e3)) if n in t and code else '-' for n in counts]
            cells.append(f'{t["speedup"]:.2f}' if t.get('speedup') else '')
            lines.append('| ' + ' | '.join(cells) + ' |')
        line = (f'- **{tier}**: {sm["programs"]} programs, {sm["total_ms"][lo]:.0f} ms in all on {lo} thread, '
                f'{sm["total_ms"][hi]:.0f} ms on {hi}')
        if sm['speedup_geomean'] is not None:
            line += f'; speed-up {lo}/{hi} geometric mean {sm["speedup_geomean"]:.2f}'
        if sm['speedup_geomean_multi_batch'] is not None:
            line += f' ({sm["speedup_geomean_multi_batch"]:.2f} over the {sm["multi_batch_programs"]} of several batches)'
        if sm['slowest']:
            line += (f'; slowest {sm["slowest"]["program"]}: {sm["slowest"]["ms"][lo]:.0f} ms on {lo} thread, '
                     f'{sm["slowest"]["ms"][hi]:.0f} ms on {hi}')
        lines += ['', line + '.', '']
    return lines


def _startup_section(doc):
    st = doc.get('startup')
    if not st:
        return []
    lines = [f'## Start-up: whole process of `{st["program"]}`', '',
             f'`{st["cli"]} run --tier T` on {st["program"]} against a native C program that does nothing '
             f'(clang -O2), {st["runs"]} runs each, alternated (every engine once a round, each round in its own shuffled order: '
             'a cold llvm compile empties the CPU caches for whatever runs next), after one warm-up round; wall time from fork to '
             'wait4 in the launcher. `strata-T` compiles at every start (cold); for a machine-code tier, '
             '`strata-T-cache` runs from a warm code cache (`run --cache`, with XDG_CACHE_HOME pointing at a folder of the harness, filled by the warm-up round) and '
             '`strata-T-cwasm` a compiled artifact (`strata compile --tier T`, then `run --allow-precompiled`). '
             'Process creation alone costs several ms here and moves with the machine: '
             'only the difference to native, measured in the same rounds, is what Strata adds. '
             '"above native": the difference of the medians; "paired": the median over the rounds of '
             'each round\'s difference, with its quartiles.', '',
             '| engine | median ms | min ms | max ms | above native ms | paired ms (q1 - q3) |',
             '|---|---:|---:|---:|---:|---:|']
    for name, e in st['engines'].items():
        if 'error' in e:
            lines.append(f'| {name} | **FAIL** | | | | |')
            continue
        above, paired = e.get('above_native_ms'), e.get('paired_above_ms')
        lines.append(f'| {name} | {e["median"]:.2f} | {e["min"]:.2f} | {e["max"]:.2f} | '
                     + ('' if above is None else f'{above:+.2f}') + ' | '
                     + ('' if paired is None else f'{paired["median"]:+.2f} ({paired["q1"]:+.2f} - {paired["q3"]:+.2f})')
                     + ' |')
    lines += ['', 'wasmtime beside these: no whole-process figure of its own is published that compares '
              '(its documentation describes the mechanisms, a pooling allocator, copy-on-write memory images and '
              'precompiled modules mapped lazily from disk, without start-up times), and no wasmtime binary can '
              'be installed here (neither Debian 12 nor npm has one): a local build plugs in as '
              '`STRATA_BENCH_PEER_WASMTIME` (bench/README.md) for its run-time figures.', '']
    return lines


# ---------------------------------------------------------------------------------------------
# Charts

def chart(doc, out, key, suites, skip, title, ylabel):
    """A clustered bar chart of ratios per program and engine on a log scale; False if gnuplot is absent."""
    gnuplot = shutil.which('gnuplot')
    rows = [p for p in doc['programs'] if p['suite'] in suites and p[key]]
    engines = [n for n in doc['engines'] if n not in skip and any(p[key].get(n) for p in rows)]
    if not gnuplot:
        print('note: gnuplot not found (scripts/setup.sh installs gnuplot-nox): no charts')
        return False
    if not rows or not engines:
        return False
    data = out / f'{key}.dat'
    with open(data, 'w') as f:
        f.write('program ' + ' '.join(engines) + '\n')
        for p in rows:
            f.write(p['name'] + ' ' + ' '.join(f'{p[key][n]:.4g}' if p[key].get(n) else 'NaN' for n in engines) + '\n')
    png = out / f'{key}.png'
    plots = ', '.join(f"'{data}' using {i + 2}:xtic(1) title '{n}'" for i, n in enumerate(engines))
    script = f"""
set terminal pngcairo size 1400,640 font 'sans,10'
set output '{png}'
set title '{title}'
set ylabel '{ylabel}'
set logscale y 10
set grid ytics mytics
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -40 scale 0
set rmargin 10
set key top left
set termoption noenhanced
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 1.5 lc rgb 'black'
set datafile missing 'NaN'
plot {plots}
"""
    r = subprocess.run([gnuplot], input=script, capture_output=True, text=True)
    data.unlink()  # the numbers are in results.json
    if r.returncode != 0:
        print(f'gnuplot failed: {r.stderr}')
        return False
    return True


def write(doc, out, charts=True):
    out.mkdir(parents=True, exist_ok=True)
    (out / 'results.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out / 'results.md').write_text(markdown(doc))
    if charts:
        chart(doc, out, 'to_native', ('programs',), ('native',),
              'bench/programs: time relative to native clang -O2 (log scale, lower is better)', 'ratio to native')
        chart(doc, out, 'to_v8', ('programs', 'sightglass'), ('v8', 'native'),
              'All programs: time relative to V8 default (log scale, lower is better)', 'ratio to V8 default')
