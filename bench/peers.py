"""Peer engines for the harness, switched on by environment variables; the harness only runs a command.

    STRATA_BENCH_WASM3=/path/to/wasm3      runs  wasm3 PROGRAM.wasm ARGS...         (engine "wasm3")
    STRATA_BENCH_WAMR=/path/to/iwasm       runs  iwasm --dir=. PROGRAM.wasm ARGS... (engine "wamr")
    STRATA_BENCH_WAMR_JIT=/path/to/iwasm   runs  iwasm --fast-jit --dir=. PROGRAM.wasm ARGS...
                                           (engine "wamr-fastjit": an iwasm built with fast JIT)
    STRATA_BENCH_WAMR_LLVM=/path/to/iwasm  runs  iwasm --llvm-jit --dir=. PROGRAM.wasm ARGS...
                                           (engine "wamr-llvmjit": an iwasm built with LLVM JIT)
    STRATA_BENCH_PEER_<NAME>='TEMPLATE'    any other engine "<name>" (lower-cased), e.g.
        STRATA_BENCH_PEER_WASMTIME='/opt/wasmtime run --dir=. {wasm} {args}'

A template is split like a shell command line; {cmd} is the command of a known peer, {wasm} the
program, {dir} its folder (also the working directory of the run) and {args} expands to the
program's arguments. STRATA_BENCH_WASM3_TEMPLATE / STRATA_BENCH_WAMR_TEMPLATE /
STRATA_BENCH_WAMR_JIT_TEMPLATE / STRATA_BENCH_WAMR_LLVM_TEMPLATE replace the default templates of
the known peers.

Peers do not provide the Sightglass bench.start/bench.end imports, so they run self-timed
programs: bench/programs built with -DBENCH_SELF_TIMED, and copies of the Sightglass programs
rewritten by shim.py; both read the WASI monotonic clock around the work and print
"[bench] ns=N" on stderr, which the harness reads and strips. A peer's figure therefore
includes two WASI clock calls and one fd_write, nothing else.

A peer that fails on a program (no SIMD in wasm3 or WAMR's fast interpreter, wasm3's limits) is
reported as "peer cannot run" with its message, never as a failure of the run; report.py compares
strata-interp with every interpreter peer that ran something, strata-baseline (when measured) with
every JIT peer, and strata-llvm (when measured) with every optimizing peer (bench/README.md, "Peers").
"""
import os
import shlex

# name -> (environment variable, default template, kind). The kind picks the Strata tier a peer is
# compared with: an interpreter with strata-interp, a JIT with strata-baseline, an optimizing JIT
# ('llvm') with strata-llvm (each with the tier below it when that tier was not measured).
KNOWN = {
    'wasm3': ('STRATA_BENCH_WASM3', '{cmd} {wasm} {args}', 'interp'),
    'wamr': ('STRATA_BENCH_WAMR', '{cmd} --dir=. {wasm} {args}', 'interp'),
    # --fast-jit is iwasm's default mode when fast JIT is its only JIT; explicit, an iwasm built
    # without fast JIT rejects the option instead of silently interpreting.
    'wamr-fastjit': ('STRATA_BENCH_WAMR_JIT', '{cmd} --fast-jit --dir=. {wasm} {args}', 'jit'),
    # Likewise --llvm-jit. Build it with eager compilation (WAMR_BUILD_LAZY_JIT=0), so that every
    # function is compiled before _start and compile time stays outside the self-timed figure.
    'wamr-llvmjit': ('STRATA_BENCH_WAMR_LLVM', '{cmd} --llvm-jit --dir=. {wasm} {args}', 'llvm'),
}
GENERIC_PREFIX = 'STRATA_BENCH_PEER_'


def from_environment(env=None):
    """[(engine name, command or None, template, kind)] for every peer the environment switches on.

    kind is 'interp', 'jit' or 'llvm' for the known peers, None for the STRATA_BENCH_PEER_ ones.
    """
    env = os.environ if env is None else env
    found = []
    for name, (var, template, kind) in KNOWN.items():
        if env.get(var):
            found.append((name, env[var], env.get(var + '_TEMPLATE', template), kind))
    for var in sorted(env):
        if var.startswith(GENERIC_PREFIX) and env[var]:
            found.append((var[len(GENERIC_PREFIX):].lower(), None, env[var], None))
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
