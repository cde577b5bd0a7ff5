// Reads and writes of a value at any address (memcpy: no alignment or aliasing assumptions),
// for frame slots and operand areas shared by the tiers.
#pragma once

#include <cstring>

namespace strata {

template <class T>
inline T rd(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
inline void wr(void* p, const T& v) {
  std::memcpy(p, &v, sizeof v);
}

}  // namespace strata
