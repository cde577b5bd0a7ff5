#!/usr/bin/env bash
# Installs every Debian package Strata needs to build, test, fuzz and benchmark.
# This is the one place where the project's system dependencies are named. Safe to re-run:
# it only calls apt-get when a package is missing.
set -euo pipefail

PACKAGES=(
  # toolchain and build
  g++ cmake ninja-build ccache pkg-config
  # libraries
  libgtest-dev libgmock-dev libbenchmark-dev libfmt-dev libcli11-dev libxxhash-dev libzstd-dev
  # machine-code tiers: x86-64 assembler (baseline JIT), disassembler (explore, objdump)
  libasmjit-dev libzydis-dev
  # the optimizing tier (src/llvm: LLVM 19, loaded as a plugin)
  llvm-19-dev
  # clang: libFuzzer/sanitizers, and compiling examples/benchmarks to wasm32-wasi
  clang-19 lld-19 libclang-rt-19-dev wasi-libc libclang-rt-19-dev-wasm32
  # reference tools for cross-checking (never a runtime dependency)
  wabt binaryen
  # scripting used by test runners
  python3
  # benchmarks (bench/run.py): V8 as a peer through node:wasi, charts, profiles; perf and gdb
  # also run in tests/cli (profiling_test.sh: perf map, jitdump, the GDB JIT interface)
  nodejs gnuplot-nox linux-perf gdb
  # tests/cli/startup_test.sh: the system calls of a start-up
  strace
  # tests/cli/explore_html_test.sh: the `strata explore -o` page in a headless browser
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
