#!/bin/sh
# The code cache under contention (docs/artifacts.md, "The cache"): two `strata run --cache`
# processes of the same module start together; both run it, and the directory ends with exactly
# one entry, which loads, and no temporary file. Usage: cache_concurrent_test.sh STRATA WAT
set -eu
strata=$1 wat=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$strata" wat2wasm "$wat" -o "$tmp/m.wasm"
for round in 1 2 3; do
  rm -rf "$tmp/cache"
  st1=0 st2=0
  "$strata" run --tier baseline --cache -C cache-dir="$tmp/cache" "$tmp/m.wasm" & p1=$!
  "$strata" run --tier baseline --cache -C cache-dir="$tmp/cache" "$tmp/m.wasm" & p2=$!
  wait $p1 || st1=$?
  wait $p2 || st2=$?
  [ "$st1" = 7 ] && [ "$st2" = 7 ] || { echo "round $round: exit statuses $st1 $st2, expected 7 7"; exit 1; }
  ls -A "$tmp/cache"
  n=$(ls -A "$tmp/cache" | wc -l)
  entry=$(ls -A "$tmp/cache" | grep -E '^[0-9a-f]{32}\.cwasm$' || true)
  [ "$n" = 1 ] && [ -n "$entry" ] || { echo "round $round: expected one <32 hex>.cwasm and nothing else"; exit 1; }
  "$strata" run --tier baseline --allow-precompiled "$tmp/cache/$entry" && st=0 || st=$?
  [ "$st" = 7 ] || { echo "round $round: the entry does not run (status $st)"; exit 1; }
  "$strata" cache stats --cache-dir "$tmp/cache" | grep -qx "entries 1" || { echo "cache stats"; exit 1; }
done
"$strata" cache clear --cache-dir "$tmp/cache"
"$strata" cache stats --cache-dir "$tmp/cache" | grep -qx "entries 0" || { echo "cache clear left entries"; exit 1; }
echo ok
