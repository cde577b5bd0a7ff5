"""Peer engines for the harness, switched on by environment variables; the harness only runs a command.

    STRATA_BENCH_WASM3=/path/to/wasm3      runs  wasm3 PROGRAM.wasm ARGS...         (engine "wasm3")
    STRATA_BENCH_WAMR=/path/to/iwasm       runs  iwasm --dir=. PROGRAM.wasm ARGS... (engine "wamr")
    STRATA_BENCH_PEER_<NAME>='TEMPLATE'    any other engine "<name>" (lower-cased), e.g.
        STRATA_BENCH_PEER_WASMTIME='/opt/wasmtime run --dir=. {wasm} {args}'

A template is split like a shell command line; {cmd} is the command of a known peer, {wasm} the
program, {dir} its folder (also the working directory of the run) and {args} expands to the
program's arguments. STRATA_BENCH_WASM3_TEMPLATE / STRATA_BENCH_WAMR_TEMPLATE replace the
default templates of the known peers.

Peers do not provide the Sightglass bench.start/bench.end imports, so they run self-timed
programs: bench/programs built with -DBENCH_SELF_TIMED, and copies of the Sightglass programs
rewritten by shim.py; both read the WASI monotonic clock around the work and print
"[bench] ns=N" on stderr, which the harness reads and strips. A peer's figure therefore
includes two WASI clock calls and one fd_write, nothing else.

A peer that fails on a program (no SIMD in wasm3 or WAMR's fast interpreter, wasm3's limits) is
reported as "peer cannot run" with its message, never as a failure of the run; report.py compares
strata-interp with every peer that ran something (bench/README.md, "Peers").
"""
import os
import shlex

KNOWN = {
    'wasm3': ('STRATA_BENCH_WASM3', '{cmd} {wasm} {args}'),
    'wamr': ('STRATA_BENCH_WAMR', '{cmd} --dir=. {wasm} {args}'),
}
GENERIC_PREFIX = 'STRATA_BENCH_PEER_'


def from_environment(env=None):
    """[(engine name, command or None, template)] for every peer the environment switches on."""
    env = os.environ if env is None else env
    found = []
    for name, (var, template) in KNOWN.items():
        if env.get(var):
            found.append((name, env[var], env.get(var + '_TEMPLATE', template)))
    for var in sorted(env):
        if var.startswith(GENERIC_PREFIX) and env[var]:
            found.append((var[len(GENERIC_PREFIX):].lower(), None, env[var]))
    return found


def expand(template, command, wasm, folder, args):
    """The argv of one run: the template's words with {cmd}, {wasm}, {dir} and {args} filled in."""
    argv = []
    for word in shlex.split(template):
        if word == '{args}':
            argv.extend(args)
            continue
        argv.append(word.replace('{cmd}', command or '').replace('{wasm}', str(wasm)).replace('{dir}', str(folder)))
    return argv
