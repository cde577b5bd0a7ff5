#!/usr/bin/env bash
# The installed library as an embedder meets it: `cmake --install` into an empty prefix, then the
# examples built with nothing but `pkg-config --cflags --libs strata`, and again with
# find_package(strata) (shared and static), each run and its output compared with
# examples/c/expected; the same for the C++ example (examples/cpp) on the installed C++ API,
# whose headers must include nothing but standard headers, each other and strata.h. Also:
# libstrata.so exports every function wasm.h and strata.h declare and nothing else, under its
# versioned SONAME.
#   install_test.sh <build-dir> <source-dir>
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
pc=$(find "$work/prefix" -name strata.pc)
[ -n "$pc" ] || fail "no strata.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir strata)
for f in include/wasm.h include/strata.h; do [ -f "$work/prefix/$f" ] || fail "$f not installed"; done
[ -f "$libdir/libstrata.a" ] || fail "libstrata.a not installed"

# Exports: exactly the declared API.
so=$(readlink -f "$libdir/libstrata.so")
readelf -d "$so" | grep -q 'SONAME.*libstrata\.so\.[0-9]\+\.[0-9]\+' || fail "no versioned SONAME"
nm -D --defined-only "$so" | awk '$2 != "A" {sub(/@.*/, "", $3); print $3}' | sort > "$work/exported"
cc -E -P -I"$work/prefix/include" "$work/prefix/include/strata.h" |
  grep -o 'visibility("default"))) [^;]*' | grep -o '\b\(wasm\|strata\)_[a-z0-9_]*\s*(' | tr -d ' (' | sort -u > "$work/declared"
[ "$(wc -l < "$work/declared")" -gt 200 ] || fail "could not read the declarations"
if ! diff "$work/declared" "$work/exported" > "$work/symbols.diff"; then
  head -20 "$work/symbols.diff" >&2
  fail "exported symbols differ from the declared ones (< declared only, > exported only)"
fi

check_output() {  # <program> <example name> [examples folder, c by default]
  local out
  out=$(cd "$work" && "$1") || fail "$1 exited with $?"
  [ "$out" == "$(cat "$src/examples/${3:-c}/expected/$2.txt")" ] || fail "$1 printed: $out"
}

examples="hello callback memory trap wasi"
mkdir -p "$work/pc"
for e in $examples; do
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror "$src/examples/c/$e.c" $(pkg-config --cflags --libs strata) \
     -Wl,-rpath,"$libdir" -o "$work/pc/$e"
  check_output "$work/pc/$e" "$e"
done

cmake -S "$src/examples/c" -B "$work/cmake" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Wno-unused-parameter -Werror" >/dev/null
cmake --build "$work/cmake" >/dev/null
for e in $examples; do check_output "$work/cmake/$e" "$e"; done
check_output "$work/cmake/hello_static" hello
ldd "$work/cmake/hello_static" | grep -q libstrata && fail "hello_static loads libstrata.so"

# The C++ API: only strata/*.hh is installed, and those include only standard headers (no
# folder, no extension), strata.h and each other.
inc=$work/prefix/include/strata
[ -f "$inc/strata.hh" ] || fail "strata/strata.hh not installed"
! ls "$inc"/*.h >/dev/null 2>&1 || fail "internal C++ headers installed: $(ls "$inc"/*.h)"
grep -h '^ *# *include' "$inc"/*.hh | sed 's/^ *# *include *//' | sort -u | while read -r header; do
  case "$header" in
    \<strata.h\>) ;;
    \"strata/*.hh\") f=${header//\"/}; [ -f "$work/prefix/include/$f" ] || fail "$header is not installed" ;;
    \<*\>) [[ "$header" =~ ^\<[a-z_]+\>$ ]] || fail "installed C++ headers include $header" ;;
    *) fail "installed C++ headers include $header" ;;
  esac
done
cxxflags="-std=c++23 -Wall -Wextra -Werror"
# shellcheck disable=SC2046,SC2086
c++ $cxxflags "$src/examples/cpp/hello.cc" $(pkg-config --cflags --libs strata) -Wl,-rpath,"$libdir" -o "$work/pc/hello_cpp"
check_output "$work/pc/hello_cpp" hello cpp
cmake -S "$src/examples/cpp" -B "$work/cmake-cpp" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$cxxflags" >/dev/null
cmake --build "$work/cmake-cpp" >/dev/null
check_output "$work/cmake-cpp/hello" hello cpp
check_output "$work/cmake-cpp/hello_static" hello cpp
ldd "$work/cmake-cpp/hello_static" | grep -q libstrata && fail "the C++ hello_static loads libstrata.so"
echo "install_test: $(wc -l < "$work/exported") symbols; C and C++ examples ok with pkg-config and find_package"
