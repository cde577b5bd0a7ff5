#!/usr/bin/env bash
# Profiler and debugger support of `strata run` (docs/profiling.md), end to end with the real
# tools. Usage: profiling_test.sh MODE STRATA DATA_DIR BENCH_DIR WORK_DIR
#   perfmap-file  --profile perfmap (and STRATA_PERFMAP=1) write /tmp/perf-PID.map, one line per
#                 function with its name; without either no map is written
#   perf          perf record of shootout-fib2 under --profile perfmap: the report's hottest
#                 symbol is the wasm function fib2
#   jitdump       the same under --profile jitdump, through perf record -k mono + perf inject --jit
#   gdb           gdb -batch stops in the write(2) of backtrace.wat: the backtrace names the three
#                 wasm functions under -D debug-info, none without it
#   gdb-lines-TIER the same of backtrace.wat's binary under --tier TIER: each wasm frame is at
#                 backtrace.wasm:LINE, LINE the wasm offset of the function's call as `strata objdump
#                 -d` lists it, and `info line` agrees; the stubs, which have no line table, are
#                 named with no line
# Exit 77 (ctest's SKIP_RETURN_CODE) with the reason on stdout when a tool cannot run here.
set -uo pipefail
mode=$1 strata=$2 data=$3 bench=$4 work=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }

# A run in the background so that its pid, and so its map's name, is known.
map_of_run() {
  "$@" >/dev/null &
  local pid=$!
  wait $pid || fail "$* exited $?"
  echo "/tmp/perf-$pid.map"
}

# perf record + report of the fib2 benchmark; $1: the --profile value, $2...: perf record options.
perf_top_symbol() {
  local profile=$1
  shift
  command -v perf >/dev/null || skip "perf is not installed (Debian linux-perf; scripts/setup.sh)"
  cp "$bench/shootout/shootout-fib2.wasm" .
  if ! perf record -q "$@" -o perf.data -- "$strata" run --tier baseline --profile "$profile" shootout-fib2.wasm \
      >run.out 2>perf.err; then
    grep -q "returned: 433494437" run.out || skip "perf record cannot record here: $(head -3 perf.err)"
  fi
  grep -q "returned: 433494437" run.out || fail "wrong output: $(cat run.out)"
}

need_gdb() {
  command -v gdb >/dev/null || skip "gdb is not installed (Debian gdb; scripts/setup.sh)"
}

# gdb -batch stopped in the program's write(2) prints the backtrace, then runs the further gdb
# options after `--`; its output goes to gdb.out. $1: the tier, $2: the module, then `strata
# run` options [-- gdb options].
gdb_stop() {
  local tier=$1 module=$2 run=() more=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do run+=("$1"); shift; done
  [ $# -gt 0 ] && shift && more=("$@")
  gdb -batch -nx -ex 'catch syscall write writev pwritev' -ex run -ex bt "${more[@]}" \
    --args "$strata" run --tier "$tier" "${run[@]}" "$module" >gdb.out 2>&1
  grep -q "ptrace: Operation not permitted" gdb.out && skip "gdb cannot trace processes here"
}

case $mode in
  perfmap-file)
    map=$(map_of_run "$strata" run --tier baseline --profile perfmap "$data/backtrace.wat") || exit 1
    grep -Eq "^[0-9a-f]+ [0-9a-f]+ backtrace!inner$" "$map" || fail "no line for backtrace!inner in $map: $(cat "$map")"
    grep -Eq "^[0-9a-f]+ [0-9a-f]+ backtrace!_start$" "$map" || fail "no line for backtrace!_start in $map"
    rm -f "$map"
    map=$(STRATA_PERFMAP=1 map_of_run "$strata" run --tier baseline "$data/backtrace.wat") || exit 1
    grep -q " backtrace!outer$" "$map" || fail "STRATA_PERFMAP=1 wrote no backtrace!outer in $map"
    rm -f "$map"
    map=$(map_of_run "$strata" run --tier baseline "$data/backtrace.wat") || exit 1
    [ ! -e "$map" ] || fail "$map written without --profile"
    ;;
  perf)
    perf_top_symbol perfmap
    pid=$(perf script -i perf.data -F pid 2>/dev/null | head -1 | tr -d ' ')
    report=$(perf report -i perf.data --stdio --sort symbol 2>/dev/null | grep -v '^#' | grep -v '^$')
    rm -f "/tmp/perf-$pid.map"
    head -5 <<<"$report"
    head -1 <<<"$report" | grep -q 'wasm!fib2' || fail "the hottest symbol is not wasm!fib2"
    ;;
  jitdump)
    perf_top_symbol jitdump -k mono
    ls jit-*.dump >/dev/null 2>&1 || fail "no jit-PID.dump in $work"
    perf inject --jit -i perf.data -o perf.jit.data 2>inject.err || fail "perf inject: $(cat inject.err)"
    report=$(perf report -i perf.jit.data --stdio --sort dso,symbol 2>/dev/null | grep -v '^#' | grep -v '^$')
    head -5 <<<"$report"
    head -1 <<<"$report" | grep -Eq 'jitted-[0-9]+-[0-9]+\.so +\[\.\] wasm!fib2' ||
      fail "the hottest symbol is not wasm!fib2 in a jitted object"
    ;;
  gdb)
    need_gdb
    gdb_stop baseline "$data/backtrace.wat" -D debug-info
    out=$(<gdb.out)
    grep -E '^#[0-9]+ ' <<<"$out" | cut -c1-120
    grep -Pzq '#\d+ +0x[0-9a-f]+ in backtrace!inner \(\) at backtrace\.wasm:\d+\n#\d+ +0x[0-9a-f]+ in backtrace!outer \(\) at backtrace\.wasm:\d+\n#\d+ +0x[0-9a-f]+ in backtrace!_start \(\) at backtrace\.wasm:\d+\n' <<<"$out" ||
      fail "the backtrace does not name inner, outer, _start in order"
    gdb_stop baseline "$data/backtrace.wat"
    out=$(<gdb.out)
    grep -q '^#[0-9]' <<<"$out" || fail "no backtrace without -D debug-info: $out"
    grep -q 'backtrace!' <<<"$out" && fail "wasm functions named without -D debug-info"
    ;;
  gdb-lines-*)
    need_gdb
    tier=${mode#gdb-lines-}
    "$strata" wat2wasm "$data/backtrace.wat" -o backtrace.wasm || fail "wat2wasm"
    # The offset of each function's one call (inner, outer, _start in index order), from the
    # wasm instructions objdump interleaves with the code: ";; 0x007a call 0". A call's code may
    # come in two runs (llvm places the stack check just before a function's first call).
    calls=()
    while read -r line; do
      [[ $line =~ ^\;\;\ (0x[0-9a-f]+)\ call\  ]] || continue
      at=$((BASH_REMATCH[1]))
      [[ ${#calls[@]} -gt 0 && ${calls[-1]} = "$at" ]] || calls+=($at)
    done < <("$strata" objdump -d --tier "$tier" backtrace.wasm)
    [ ${#calls[@]} = 3 ] || fail "objdump -d lists ${#calls[@]} calls, not 3"
    # A caller's frame is at the return address, which gdb looks up one byte back: so does
    # `info line` here.
    gdb_stop "$tier" backtrace.wasm -D debug-info -- -ex 'frame function backtrace!inner' -ex 'info line *($pc - 1)'
    out=$(<gdb.out)
    grep -E '^#[0-9]+ .* in (backtrace|strata)!' <<<"$out"
    grep -E '^Line ' <<<"$out"
    grep -Pzq "#\d+ +0x[0-9a-f]+ in backtrace!inner \(\) at backtrace\.wasm:${calls[0]}\n#\d+ +0x[0-9a-f]+ in backtrace!outer \(\) at backtrace\.wasm:${calls[1]}\n#\d+ +0x[0-9a-f]+ in backtrace!_start \(\) at backtrace\.wasm:${calls[2]}\n" <<<"$out" ||
      fail "the wasm frames are not at backtrace.wasm:${calls[0]}, :${calls[1]}, :${calls[2]} (the calls' offsets)"
    grep -Eq "^Line ${calls[0]} of \"backtrace\.wasm\" starts at address 0x[0-9a-f]+ <backtrace!inner\+[0-9]+>" <<<"$out" ||
      fail "info line does not map inner's return address to line ${calls[0]}"
    grep -Eq '^#[0-9]+ +0x[0-9a-f]+ in strata!stubs \(\)$' <<<"$out" || fail "the stubs are not named, with no line"
    ;;
  *) fail "unknown mode $mode" ;;
esac
echo "ok"
