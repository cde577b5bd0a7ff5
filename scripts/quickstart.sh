#!/usr/bin/env bash
# First README command: install what is missing, build the release preset, run the bundled examples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset release >/dev/null
cmake --build --preset release
STRATA=build/release/bin/strata
echo "== strata validate examples/fac.wat"
$STRATA validate examples/fac.wat && echo "valid"
echo "== strata wat2wasm examples/fac.wat"
$STRATA wat2wasm examples/fac.wat -o build/release/examples/fac.wasm
echo "== strata run: examples/hello.c with a preopened scratch folder, an env variable and two arguments"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
$STRATA run --dir "$SCRATCH"::. --env GREETING_NAME=quickstart build/release/examples/hello.wasm a b
echo "== strata objdump build/release/examples/hello.wasm (examples/hello.c compiled to wasm32-wasi)"
# sed reads the whole listing: head would stop early and end objdump with SIGPIPE (exit 141
# under pipefail).
$STRATA objdump build/release/examples/hello.wasm | sed -n 1,40p
