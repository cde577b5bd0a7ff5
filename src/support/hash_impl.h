// The body of support::xxh3_128 (hash.h), included by hash.cc and by hash_avx2.cc, which is
// compiled with -mavx2 so that xxhash's inline code takes its AVX2 path: the same source, two
// instruction sets. Inlined (XXH_INLINE_ALL): libstrata.a needs no libxxhash from embedders
// (tests/capi/install_test.sh).
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "support/hash.h"

namespace strata::support::detail {

// static: each including file keeps its own copy, compiled for its own instruction set (an
// inline function would be one definition, and the linker could keep the AVX2 one for both).
static Hash128 xxh3_128Parts(std::initializer_list<std::span<const uint8_t>> parts) {
  XXH3_state_t st;  // on the stack: no allocation
  XXH3_INITSTATE(&st);
  XXH3_128bits_reset(&st);
  for (std::span<const uint8_t> p : parts) XXH3_128bits_update(&st, p.data(), p.size());
  XXH128_hash_t h = XXH3_128bits_digest(&st);
  return {h.low64, h.high64};
}

}  // namespace strata::support::detail
