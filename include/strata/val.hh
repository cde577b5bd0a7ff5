// The C++ API's values: i32, i64, f32, f64 and references (funcref, externref) crossing into wasm and back.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "strata/store.hh"
#include "strata/types.hh"

namespace strata {
inline namespace api {

class Func;

// An externref the host made: an object of its store that carries a pointer of the host's
// choosing. What comes back from wasm is the same object (operator== compares identity).
class ExternRef {
 public:
  static ExternRef create(Store& store, void* data = nullptr) {
    wasm_foreign_t* foreign = wasm_foreign_new(store.raw());
    wasm_foreign_set_host_info(foreign, data);
    return ExternRef(wasm_foreign_as_ref(foreign));
  }
  // Takes a reference the C API handed over.
  explicit ExternRef(wasm_ref_t* ref) : ref_(ref) {}

  void* data() const { return wasm_ref_get_host_info(raw()); }
  wasm_ref_t* raw() const { return ref_.get(); }
  friend bool operator==(const ExternRef& a, const ExternRef& b) { return wasm_ref_same(a.raw(), b.raw()); }

 private:
  detail::Copyable<wasm_ref_t, wasm_ref_delete, wasm_ref_copy> ref_;
};

class Val {
 public:
  Val() : Val(int32_t{0}) {}
  // Implicit: a number is a value (f.call({1, 2.5})).
  Val(int32_t v) : Val(Kind{WASM_I32}) { v_.of.i32 = v; }  // NOLINT(google-explicit-constructor)
  Val(int64_t v) : Val(Kind{WASM_I64}) { v_.of.i64 = v; }  // NOLINT(google-explicit-constructor)
  Val(float v) : Val(Kind{WASM_F32}) { v_.of.f32 = v; }    // NOLINT(google-explicit-constructor)
  Val(double v) : Val(Kind{WASM_F64}) { v_.of.f64 = v; }   // NOLINT(google-explicit-constructor)
  static Val externref(std::optional<ExternRef> ref) {
    return adopt(wasm_val_t{WASM_EXTERNREF, {.ref = ref ? wasm_ref_copy(ref->raw()) : nullptr}});
  }
  static Val funcref(const std::optional<Func>& func);  // strata/func.hh
  // Takes a value the C API handed over (an owned wasm_val_t).
  static Val adopt(wasm_val_t v) {
    Val out;
    out.v_ = v;
    return out;
  }
  // The zero or null value of a kind.
  static Val zero(ValKind kind) {
    switch (kind) {
      case ValKind::I64: return int64_t{0};
      case ValKind::F32: return 0.0f;
      case ValKind::F64: return 0.0;
      case ValKind::ExternRef:
      case ValKind::FuncRef: return adopt(wasm_val_t{wasm_valkind_t(kind), {.ref = nullptr}});
      default: return int32_t{0};
    }
  }

  Val(const Val& other) { wasm_val_copy(&v_, &other.v_); }
  Val(Val&& other) noexcept : v_(other.v_) { other.v_.kind = WASM_I32; }
  Val& operator=(Val other) noexcept {
    std::swap(v_, other.v_);
    return *this;
  }
  ~Val() { wasm_val_delete(&v_); }

  ValKind kind() const { return ValKind(v_.kind); }
  int32_t i32() const { return v_.of.i32; }
  int64_t i64() const { return v_.of.i64; }
  float f32() const { return v_.of.f32; }
  double f64() const { return v_.of.f64; }
  // nullopt for the null reference.
  std::optional<ExternRef> externref() const {
    if (!v_.of.ref) return std::nullopt;
    return ExternRef(wasm_ref_copy(v_.of.ref));
  }
  std::optional<Func> funcref() const;  // strata/func.hh

  const wasm_val_t& raw() const { return v_; }
  // Hands the value (and its reference) over to the C API.
  wasm_val_t release() {
    wasm_val_t out = v_;
    v_.kind = WASM_I32;
    return out;
  }

 private:
  struct Kind {
    wasm_valkind_t kind;
  };
  explicit Val(Kind k) { v_.kind = k.kind; }
  wasm_val_t v_{WASM_I32, {.i64 = 0}};
};

}  // namespace api
}  // namespace strata
