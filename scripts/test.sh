#!/usr/bin/env bash
# Second README command: build the release preset and run the whole test suite (unit tests,
# every spec script of ../shared/testsuite-2.0 and ../shared/testsuite). STRATA_SHARED overrides
# where the shared test data lives (default: ../shared beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Let ccache share objects between checkouts (CI builds a fresh clone each time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release "$@"
