#!/usr/bin/env bash
# The C API tests with every stage of the runtime instrumented, in their own build folders:
#   tests/capi/sanitizers.sh asan   AddressSanitizer + LeakSanitizer + UBSan (build/capi-asan)
#   tests/capi/sanitizers.sh tsan   ThreadSanitizer: stores on several threads sharing one
#                                   module (shared_test.c) and everything else (build/capi-tsan)
# Only the C API test programs and what they link are built (JOBS=1 by default). The normal
# ctest run already covers ASan + LSan with the API layer instrumented (capi_asan.* tests);
# this is the deeper, slower check (about 25 minutes per sanitizer on one core, cold cache).
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-asan}
case "$kind" in
  asan) flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" ;;
  # The runtime's SIGSEGV handler (guard-page traps) allocates (vm::findCodeImage's registry on
  # first use, the interpreter's trap frames): TSan reports that as "signal-unsafe call inside
  # of a signal". Known and left to the runtime; this run is for data races, so it is off
  # unless TSAN_OPTIONS says otherwise.
  tsan) flags="-fsanitize=thread"; export TSAN_OPTIONS=${TSAN_OPTIONS:-report_signal_unsafe=0} ;;
  *) echo "usage: $0 asan|tsan" >&2; exit 2 ;;
esac
dir=build/capi-$kind
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
      -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" \
      -DSTRATA_BENCH=OFF -DSTRATA_CAPI_ASAN=OFF >/dev/null
tests=$(sed -n 's/^set(STRATA_CAPI_TESTS \(.*\))$/\1/p' tests/capi/CMakeLists.txt)
targets=""
for t in $tests; do targets="$targets capi_${t}_test"; done
# shellcheck disable=SC2086
ninja -C "$dir" -j"${JOBS:-1}" $targets
# The install test needs the whole build; the API tests are what the sanitizer is for.
ctest --test-dir "$dir" -L capi -E 'capi\.install' --output-on-failure
