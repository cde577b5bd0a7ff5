// Wasm exceptions as the embedder sees them (exception handling: spec 4.2.x exception
// instances, exnref values). docs/exceptions.md describes how they cross host frames.
#pragma once

#include <span>
#include <vector>

#include "strata/extern.h"
#include "strata/trap.h"
#include "strata/val.h"
#include "support/error.h"
#include "vm/exception.h"

namespace strata {

class Store;

// A reference to an exception object of a store (an exnref); default-constructed = null.
// Valid while its store lives.
class Exn {
 public:
  Exn() = default;
  // A new exception of `tag` whose payload is `payload` (a Usage error "type mismatch: ..."
  // unless the values match the tag's parameters).
  static Result<Exn> create(Store& store, const Tag& tag, std::span<const Val> payload);
  // The exception an UncaughtException trap carries; null for every other trap.
  static Exn fromTrap(const Trap& trap) { return Exn(trap.exceptionRaw()); }
  // An exnref value (null when the value is not a non-null exnref).
  static Exn fromVal(const Val& v) {
    return Exn(v.kind() == Val::Kind::ExnRef ? static_cast<vm::VMException*>(v.refRaw()) : nullptr);
  }

  bool isNull() const { return exn_ == nullptr; }
  Tag tag() const;
  // The payload values, typed by the tag's parameters.
  std::vector<Val> payload(const Store& store) const;
  // Returned from a host callback, this Trap throws the exception into the calling wasm, where
  // try_table or a legacy catch can catch it (spec 4.4.x: a host function may throw).
  Trap toTrap() const;
  Val toVal() const { return Val::ref(Val::Kind::ExnRef, exn_); }
  vm::VMException* raw() const { return exn_; }
  friend bool operator==(const Exn&, const Exn&) = default;

 private:
  explicit Exn(vm::VMException* exn) : exn_(exn) {}
  vm::VMException* exn_ = nullptr;
};

}  // namespace strata
