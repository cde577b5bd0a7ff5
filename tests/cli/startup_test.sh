#!/usr/bin/env bash
# What `strata run` does before and around a module that does nothing, checked without a clock
# (issues 10 and 12 bound the start-up at 1 ms over a native no-op; bench/run.py measures it):
# a static tool maps no shared library, and the run of a small module makes none of the system
# calls that start-up work was once found spending (strace).
# Usage: startup_test.sh STRATA DATA_DIR WORK_DIR STATIC(ON|OFF) [ORDER(ON|OFF) ORDER_FILE].
# Exit 77 (skipped) without strace.
set -uo pipefail
strata=$1 data=$2 work=$3 static=$4 order=${5:-OFF} order_file=${6:-}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

# STRATA_CLI_STATIC (src/cli/CMakeLists.txt): no program interpreter, no shared library.
if [ "$static" = ON ]; then
  readelf -lW "$strata" | grep -q 'Requesting program interpreter' && fail "a static strata names a dynamic loader"
  readelf -dW "$strata" | grep -q '(NEEDED)' && fail "a static strata needs shared libraries: $(readelf -dW "$strata" | grep NEEDED)"
fi
echo "static link: $static, checked"

# STRATA_STARTUP_ORDER (top-level CMakeLists.txt): the functions of a start lie together. The
# list covers three starts (a .cwasm, a warm cache, noop compiled by the baseline tier): ~150
# pages of code, where the 380 of them that strata_bench also links cover ~170 pages unordered.
if [ "$order" = ON ]; then
  pages=$(nm -S -t d "$strata" | awk -v list="$order_file" '
    BEGIN { while ((getline name < list) > 0) want[name] = 1 }
    ($3 == "t" || $3 == "T") && ($4 in want) {
      a = $1 + 0; s = $2 + 0
      for (p = int(a / 4096); p <= int((a + s - 1) / 4096); p++) seen[p] = 1; n++ }
    END { c = 0; for (p in seen) c++; print (n > 100 ? c : -1) }')
  [ "$pages" -gt 0 ] || fail "fewer than 100 functions of $order_file are in the tool"
  [ "$pages" -le 160 ] || fail "the functions of a start cover $pages pages of code (not ordered?)"
  echo "start-up order: $pages pages, checked"
fi

command -v strace >/dev/null || { echo "SKIPPED: strace is not installed (Debian strace)"; exit 77; }
"$strata" wat2wasm "$data/run.wat" -o run.wasm || fail "wat2wasm exited $?"
"$strata" run --invoke add run.wasm 2 3 > out.txt || fail "run exited $?"
[ "$(cat out.txt)" = 5 ] || fail "run printed $(cat out.txt), not 5"
for tier in interp baseline; do
  strace -f -qq -o "trace-$tier.txt" "$strata" run --tier "$tier" --invoke add run.wasm 2 3 > /dev/null || fail "strace run exited $?"
  trace=trace-$tier.txt
  [ "$static" = ON ] && grep -Eq 'open(at)?\(.*\.so' "$trace" && fail "$tier: shared libraries opened: $(grep -E '\.so' "$trace" | head -3)"
  # The main thread's stack is found without /proc/self/maps (runtime/entry.cc) under a stack
  # limit up to 128 MiB.
  limit=$(ulimit -s)
  if [ "$limit" != unlimited ] && [ "$limit" -le 131072 ]; then
    grep -q '/proc/self/maps' "$trace" && fail "$tier: reads /proc/self/maps"
  fi
  grep -Eq '^[0-9]+ +(clone|clone3)\(' "$trace" && fail "$tier: a run of a small module starts a thread"
  # The module file: opened once to tell an artifact from a module, once to read it.
  opens=$(grep -c 'open(at)\?(.*run\.wasm"' "$trace")
  [ "$opens" -le 2 ] || fail "$tier: run.wasm opened $opens times"
done
# A compiled artifact runs without creating the code pool (a 64 MiB shared mapping): the stubs
# are assembled at build time and mapped in a page of their own (src/jit/stub_asm.h).
"$strata" compile run.wasm -o run.cwasm || fail "compile exited $?"
strace -f -qq -e trace=mmap -o trace-cwasm.txt "$strata" run --allow-precompiled --invoke add run.cwasm 2 3 > out.txt ||
  fail "strace run of the artifact exited $?"
[ "$(cat out.txt)" = 5 ] || fail "the artifact printed $(cat out.txt), not 5"
grep -q 'MAP_SHARED' trace-cwasm.txt && fail "a run of an artifact created the code pool: $(grep MAP_SHARED trace-cwasm.txt)"
echo "artifact run without the code pool: checked"
# Nor does a run that compiles one module: the process's first image maps its own memory
# (src/vm/code_image.cc).
strace -f -qq -e trace=mmap -o trace-one.txt "$strata" run --tier baseline --invoke add run.wasm 2 3 > out.txt ||
  fail "strace run of one module exited $?"
[ "$(cat out.txt)" = 5 ] || fail "the module printed $(cat out.txt), not 5"
grep -q 'MAP_SHARED' trace-one.txt && fail "a run that compiles one module created the code pool: $(grep MAP_SHARED trace-one.txt)"
echo "one module compiled without the code pool: checked"
# The standard streams (std::ios_base::Init, the classic locale's facets) are built only on the
# paths that reach CLI11 (src/cli/cli11.h), which `run FILE` does not (fast_run.h); `--help` does,
# which shows the breakpoint works.
if command -v gdb >/dev/null; then
  hits() { gdb -nx -batch -ex 'set breakpoint pending on' -ex 'break std::ios_base::Init::Init()' -ex run \
             -ex 'info breakpoints' --args "$strata" "$@" 2>&1 | grep -c 'breakpoint already hit'; }
  [ "$(hits --help)" -ge 1 ] || fail "gdb saw no std::ios_base::Init in strata --help: the check cannot work"
  [ "$(hits run run.wasm)" = 0 ] || fail "strata run FILE constructed the standard streams"
  echo "run without the standard streams: checked"
fi
# A warm code cache needs no compiler: a static strata asked for --tier llvm loads the entry
# itself and does not exec its dynamic twin (src/cli/main.cc), which only a compile needs.
if [ "$static" = ON ] && [ -x "$(dirname "$strata")/strata-llvm" ]; then
  export XDG_CACHE_HOME=$work/xdg
  "$strata" run --tier llvm --cache --invoke add run.wasm 2 3 > out.txt || fail "llvm cache miss exited $?"
  [ "$(cat out.txt)" = 5 ] || fail "llvm cache miss printed $(cat out.txt)"
  strace -f -qq -e trace=execve -o trace-cache.txt "$strata" run --tier llvm --cache --invoke add run.wasm 2 3 > out.txt ||
    fail "llvm cache hit exited $?"
  [ "$(cat out.txt)" = 5 ] || fail "llvm cache hit printed $(cat out.txt)"
  grep -q 'strata-llvm' trace-cache.txt && fail "a cache hit started the llvm twin: $(grep execve trace-cache.txt)"
  echo "llvm cache hit without the twin: checked"
fi
echo "ok"
