// Rows<T>: a read-mostly sequence that either owns its elements (a vector) or borrows them from
// memory someone else keeps alive (the mapping of a compiled artifact, docs/artifacts.md).
//
// Why: loading an artifact must cost about as much as mapping the file (issue 12). The module's
// bytes and each function's sites and pc map are already laid out in the file as the runtime
// reads them; copying them into vectors was most of a load (for a 1.4 MB module: 3.7 ms of
// copies and the page faults of the fresh memory, against 0.6 ms for reading the file once).
// Readers see a span either way; producers (the compilers, the text parser) build the owned
// form. Whoever borrows keeps the memory alive for as long as the Rows live (ir::Module::backing,
// the code image's backing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace strata::support {

template <class T>
class Rows {
 public:
  Rows() = default;
  Rows(std::vector<T> v) : own_(std::move(v)) {}  // NOLINT: a vector is a Rows that owns it
  // A view of `s`, which must outlive this Rows and every copy of it. An empty view is an empty
  // owned Rows: nothing to borrow.
  static Rows borrow(std::span<const T> s) {
    Rows r;
    if (!s.empty()) r.ext_ = s.data(), r.n_ = s.size();
    return r;
  }

  bool borrowed() const { return ext_ != nullptr; }
  std::span<const T> span() const { return ext_ ? std::span<const T>(ext_, n_) : std::span<const T>(own_); }
  operator std::span<const T>() const { return span(); }  // NOLINT: read as a span anywhere
  const T* data() const { return ext_ ? ext_ : own_.data(); }
  size_t size() const { return ext_ ? n_ : own_.size(); }
  bool empty() const { return size() == 0; }
  auto begin() const { return span().begin(); }
  auto end() const { return span().end(); }
  const T& operator[](size_t i) const { return data()[i]; }
  const T& front() const { return data()[0]; }
  const T& back() const { return data()[size() - 1]; }

  // The owned vector, to change; a borrowed Rows copies its elements first.
  std::vector<T>& edit() {
    if (ext_) {
      own_.assign(ext_, ext_ + n_);
      ext_ = nullptr;
      n_ = 0;
    }
    return own_;
  }
  template <class... A>
  T& emplace_back(A&&... a) {
    return edit().emplace_back(std::forward<A>(a)...);
  }
  template <class It>
  void assign(It first, It last) {
    ext_ = nullptr;
    n_ = 0;
    own_.assign(first, last);
  }
  // The elements as a vector of their own (moved out when owned).
  std::vector<T> take() && { return ext_ ? std::vector<T>(ext_, ext_ + n_) : std::move(own_); }

 private:
  std::vector<T> own_;
  const T* ext_ = nullptr;  // non-null: borrowed
  size_t n_ = 0;
};

}  // namespace strata::support
