#!/usr/bin/env bash
# Writes src/cli/startup_order.txt: the functions (mangled names) that `strata run` of a compiled
# noop module executes, then those `strata run --cache` of noop from a warm cache adds, then
# those of noop compiled at start (--tier baseline), in the order lld
# should place them (--symbol-ordering-file, see the
# top-level CMakeLists.txt). Run after changes to the start-up path: a stale list only costs
# start-up time (names that no longer exist are ignored), never correctness.
# Usage: scripts/startup_order.sh [BUILD_DIR]   (needs valgrind; default build/release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
strata=$build/bin/strata
shared=${STRATA_SHARED:-$root/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$strata" compile "$shared/bench/noop/benchmark.wasm" -o "$work/noop.cwasm"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.cwasm" \
  "$strata" run --allow-precompiled "$work/noop.cwasm" > /dev/null 2>&1
# The warm cache as users reach it (`--cache`, the directory from XDG_CACHE_HOME): one run fills
# it, the next is the one profiled. Both under valgrind, whose CPU has other features than the
# host's (they are part of the cache key).
XDG_CACHE_HOME="$work/cache" valgrind --tool=none "$strata" run --tier baseline --cache "$shared/bench/noop/benchmark.wasm" > /dev/null 2>&1
XDG_CACHE_HOME="$work/cache" valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.cache" \
  "$strata" run --tier baseline --cache "$shared/bench/noop/benchmark.wasm" > /dev/null 2>&1
# And a module compiled at start (issue 10: start-up of noop under --tier baseline).
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.compile" \
  "$strata" run --tier baseline "$shared/bench/noop/benchmark.wasm" > /dev/null 2>&1
# One line per function with a cost: "N (P%)  FILE:NAME [OBJECT]" -> NAME. The paths in turn,
# each adding the functions the ones before it did not run: the compiled module's first, so
# that its pages are not spread by the compiler's.
for out in "$work/cg.cwasm" "$work/cg.cache" "$work/cg.compile"; do
  callgrind_annotate --auto=no --threshold=100 --inclusive=no "$out" |
    grep -E '^ *[0-9,]+ \(' | sed -E 's/^ *[0-9,]+ +\([^)]*\) +//; s/ \[.*$//; s/^.*://' |
    grep -E '^[A-Za-z_][A-Za-z0-9_.$]*$' | sort -u
done | awk '!seen[$0]++' > "$root/src/cli/startup_order.txt"
echo "$(wc -l < "$root/src/cli/startup_order.txt") functions in src/cli/startup_order.txt"
