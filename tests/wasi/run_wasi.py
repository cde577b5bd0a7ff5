#!/usr/bin/env python3
"""Runs WASI programs through `strata run` for CTest.

  run_wasi.py testsuite STRATA [RUN_OPTION...] PROGRAM.wasm...
                                              wasi-testsuite tests (doc/specification.md); each
                                              RUN_OPTION goes to `strata run` (e.g. -S resolve=walk)
  run_wasi.py bench STRATA PROGRAM.wasm       one Sightglass program, output vs *.expected
  run_wasi.py expect STRATA [--exit N] [--stdout RE] [--stderr RE] -- ARGS...
                                              any strata command; @TMP@ in ARGS is a fresh folder

wasi-testsuite: the test's .json (if any) is read in its legacy form (args, env, root,
exit_code, stdout, stderr) or its operation form (run / read / wait); `root` is copied to a
fresh temporary folder (made writable: the checkout's fixtures are read-only) and preopened as
the guest's `/`; the environment is exactly `env`. The exit code must match, and stdout/stderr
where the specification gives them. Exits 0 on a pass, 1 with a report on a failure.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 600


def run(cmd, cwd=None):
    # stdin is /dev/null: some programs poll it (poll_oneoff_stdio) and must not wait on a tty.
    return subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)


def fail(message, proc=None):
    print("FAIL: " + message)
    if proc is not None:
        print("--- stdout\n" + proc.stdout.decode(errors="replace"))
        print("--- stderr\n" + proc.stderr.decode(errors="replace"))
    sys.exit(1)


def operations(spec):
    """The specification's operations; the legacy form becomes run [read stdout] [read stderr] wait."""
    if "operations" in spec:
        return spec["operations"]
    ops = [{"type": "run", "args": spec.get("args", []), "env": spec.get("env", {}), "root": spec.get("root")}]
    for stream in ("stdout", "stderr"):
        if spec.get(stream) is not None:
            ops.append({"type": "read", "id": stream, "payload": spec[stream]})
    ops.append({"type": "wait", "exit_code": spec.get("exit_code", 0)})
    return ops


def copy_fixture(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    for root, dirs, files in os.walk(dst):
        os.chmod(root, 0o755)
        for f in files:
            path = os.path.join(root, f)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


def testsuite(strata, wasm, run_options):
    folder = os.path.dirname(wasm)
    # Artifacts a previous run may have left (the specification's *.cleanup files).
    for leftover in [f for f in os.listdir(folder) if f.endswith(".cleanup")]:
        print("note: stale artifact " + leftover)
    spec_path = wasm[:-len(".wasm")] + ".json"
    spec = json.load(open(spec_path)) if os.path.exists(spec_path) else {}
    if spec.get("proposals"):
        fail("proposals %s are not supported" % spec["proposals"])
    proc = None
    with tempfile.TemporaryDirectory(prefix="strata-wasi-") as tmp:
        for op in operations(spec):
            kind = op.get("type")
            if kind == "run":
                cmd = [strata, "run"] + run_options
                if op.get("root"):
                    root = os.path.join(tmp, "root")
                    copy_fixture(os.path.join(folder, op["root"]), root)
                    cmd += ["--dir", root + "::/"]
                for key, value in op.get("env", {}).items():
                    cmd += ["--env", "%s=%s" % (key, value)]
                proc = run(cmd + [wasm] + list(op.get("args", [])), cwd=tmp)
                print("ran: " + " ".join(cmd + [os.path.basename(wasm)]))
            elif kind == "read":
                stream = proc.stdout if op.get("id", "stdout") == "stdout" else proc.stderr
                if stream.decode(errors="replace") != op.get("payload", ""):
                    fail("%s differs from %r" % (op.get("id", "stdout"), op.get("payload", "")), proc)
            elif kind == "wait":
                if proc.returncode != op.get("exit_code", 0):
                    fail("exit code %d, expected %d" % (proc.returncode, op.get("exit_code", 0)), proc)
            else:
                fail("operation %r is not supported" % kind)
    print("PASS " + os.path.basename(wasm))


def bench(strata, wasm, run_options=(), program=None):
    folder = os.path.dirname(wasm)
    base = wasm[:-len(".wasm")]
    proc = run([strata, "run"] + list(run_options) + ["--dir", folder + "::.", program or wasm], cwd=folder)
    if proc.returncode != 0:
        fail("exit code %d" % proc.returncode, proc)
    for stream, data in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        expected = base + "." + stream + ".expected"
        if os.path.exists(expected) and open(expected, "rb").read() != data:
            fail(stream + " differs from " + expected, proc)
    print("PASS")


def bench_compiled(strata, wasm, compile_options=()):
    """`strata compile` to a temporary .cwasm, then `strata run --allow-precompiled` of it."""
    with tempfile.TemporaryDirectory(prefix="strata-cwasm-") as tmp:
        artifact = os.path.join(tmp, os.path.basename(wasm)[:-len(".wasm")] + ".cwasm")
        proc = run([strata, "compile"] + list(compile_options) + ["-o", artifact, wasm])
        if proc.returncode != 0 or not os.path.exists(artifact):
            fail("strata compile: exit code %d" % proc.returncode, proc)
        bench(strata, wasm, ["--allow-precompiled"], program=artifact)


def expect(strata, argv):
    sep = argv.index("--")
    opts, args = argv[:sep], argv[sep + 1:]
    want = {"--exit": "0"}
    for i in range(0, len(opts), 2):
        want[opts[i]] = opts[i + 1]
    with tempfile.TemporaryDirectory(prefix="strata-run-") as tmp:
        args = [a.replace("@TMP@", tmp) for a in args]
        if args and args[0] == "@SH@":
            # Several strata commands joined by && (each "strata" prefix added here).
            steps = [s.strip() for s in args[1].split("&&")]
            proc = None
            for step in steps:
                proc = run([strata] + step.split())
                if proc.returncode != 0:
                    break
            # Files the commands themselves wrote (a .cwasm) are not the guest's.
            for name in os.listdir(tmp):
                if name.endswith(".cwasm"):
                    os.unlink(os.path.join(tmp, name))
        else:
            proc = run([strata] + args)
        if proc.returncode != int(want["--exit"]):
            fail("exit code %d, expected %s" % (proc.returncode, want["--exit"]), proc)
        for stream, data in (("--stdout", proc.stdout), ("--stderr", proc.stderr)):
            pattern = want.get(stream)
            if pattern is not None and not re.search(pattern, data.decode(errors="replace"), re.S):
                fail("%s does not match %r" % (stream[2:], pattern), proc)
        if os.listdir(tmp):
            fail("the guest left files behind: %s" % os.listdir(tmp), proc)
    print("PASS")


def main():
    mode, strata = sys.argv[1], os.path.abspath(sys.argv[2])
    if mode == "testsuite":
        rest = sys.argv[3:]
        programs = [a for a in rest if a.endswith(".wasm")]
        for wasm in programs:
            testsuite(strata, wasm, [a for a in rest if not a.endswith(".wasm")])
    elif mode == "bench":
        bench(strata, sys.argv[3], sys.argv[4:])
    elif mode == "bench-compiled":
        bench_compiled(strata, sys.argv[3], sys.argv[4:])
    elif mode == "expect":
        expect(strata, sys.argv[3:])
    else:
        fail("unknown mode " + mode)


if __name__ == "__main__":
    main()
