#!/usr/bin/env bash
# `strata explore -o PAGE.html` in a real browser: headless Chromium loads the page, its script
# counts the offset links between the wasm and the machine-code columns (data-linked, and
# data-broken for links that lead nowhere), and a screenshot is kept for a human to look at.
# Usage: explore_html_test.sh STRATA DATA_DIR WORK_DIR. Exit 77 (skipped) without Chromium.
set -uo pipefail
strata=$1 data=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

"$strata" explore --tier baseline -o page.html "$data/disasm.wat" || fail "explore exited $?"
# Static facts of the page: i32.add at 0x34 (52) has machine code, listed under its group, and
# its wasm row links there.
grep -q 'id="f0-m52"><td colspan="3"><a href="#f0-w52">;; 0x0034 i32.add</a>' page.html || fail "no machine group for i32.add"
grep -q '<tr data-w="52" id="f0-w52"><td class="off"><a href="#f0-m52">0x0034</a>' page.html || fail "no wasm row linking i32.add"

browser=$(command -v chromium || command -v chromium-browser) || { echo "SKIPPED: chromium is not installed (Debian chromium)"; exit 77; }
# --no-sandbox: the test may run as root, where Chromium refuses its sandbox.
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$work/profile")
dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/page.html" 2>chromium.err) || fail "chromium: $(tail -3 chromium.err)"
linked=$(grep -o 'data-linked="[0-9]*"' <<<"$dom" | grep -o '[0-9]*')
broken=$(grep -o 'data-broken="[0-9]*"' <<<"$dom" | grep -o '[0-9]*')
echo "links between the columns: $linked, broken: $broken"
[ -n "$linked" ] || fail "the page's script did not run (no data-linked)"
[ "$broken" = 0 ] || fail "$broken links lead nowhere"
[ "$linked" -ge 20 ] || fail "only $linked links"
timeout 120 "$browser" "${flags[@]}" --window-size=1400,1000 --screenshot="$work/explore.png" "file://$work/page.html#f0" \
  2>>chromium.err >/dev/null || fail "chromium screenshot: $(tail -3 chromium.err)"
[ -s explore.png ] || fail "no screenshot"
echo "screenshot: $work/explore.png"
echo ok
