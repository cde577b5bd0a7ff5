// The C++ API's plumbing over the C API: owning handles of wasm.h objects and vector helpers.
//
// The installed C++ API (strata/strata.hh) is header-only and sits on the C API (wasm.h,
// strata.h), so it needs nothing from libstrata beyond the C symbols the library exports, and
// it includes only standard headers and Strata's installed ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

// wasm.h marks ownership with an empty `own` macro; keep it from reaching the embedder's code
// unless they included wasm.h themselves.
#ifndef own
#define STRATA_HH_UNDEF_OWN
#endif
// The C header: <> so that strata/strata.h (the runtime's C++ umbrella, beside this file in
// the source tree) cannot answer for it.
#include <strata.h>
#ifdef STRATA_HH_UNDEF_OWN
#undef own
#undef STRATA_HH_UNDEF_OWN
#endif

namespace strata {
// An inline namespace: embedders write strata::Engine, while the symbols of these inline
// functions (strata::api::...) never meet the runtime's own C++ classes inside libstrata.a.
inline namespace api {
namespace detail {

template <class T, void (*Delete)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) Delete(p);
  }
};

// An owning handle of a C API object.
template <class T, void (*Delete)(T*)>
class Owned {
 public:
  Owned() = default;
  explicit Owned(T* p) : p_(p) {}

  T* get() const { return p_.get(); }
  T* release() { return p_.release(); }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  std::unique_ptr<T, Deleter<T, Delete>> p_;
};

// An owning handle that copies through the object's _copy: a new handle of the same object
// (wasm.h's references are handles) or an independent copy (frames).
template <class T, void (*Delete)(T*), T* (*Copy)(const T*)>
class Copyable : public Owned<T, Delete> {
 public:
  using Owned<T, Delete>::Owned;
  Copyable(const Copyable& other) : Owned<T, Delete>(other.get() ? Copy(other.get()) : nullptr) {}
  Copyable& operator=(const Copyable& other) {
    if (this != &other) Owned<T, Delete>::operator=(Copyable(other));
    return *this;
  }
  Copyable(Copyable&&) noexcept = default;
  Copyable& operator=(Copyable&&) noexcept = default;
};

// A vector the C API filled (an `own` out parameter), deleted with the scope.
template <class V, void (*Delete)(V*)>
struct OutVec {
  V vec{0, nullptr};
  OutVec() = default;
  OutVec(const OutVec&) = delete;
  OutVec& operator=(const OutVec&) = delete;
  ~OutVec() { Delete(&vec); }
  size_t size() const { return vec.size; }
  auto& operator[](size_t i) const { return vec.data[i]; }
};

using ByteVec = OutVec<wasm_byte_vec_t, wasm_byte_vec_delete>;

// A name or message from the C API, without the NUL that messages carry.
inline std::string toString(const wasm_byte_vec_t& bytes) {
  std::string out(bytes.data ? bytes.data : "", bytes.size);
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

// A borrowed byte vector over a string (the C API only reads it).
inline wasm_byte_vec_t view(std::string_view text) {
  return wasm_byte_vec_t{text.size(), const_cast<char*>(text.data())};
}

}  // namespace detail
}  // namespace api
}  // namespace strata
