// A growable array of trivially copyable values whose push, pop and top are always inlined.
// Why: the baseline compiler pushes and pops its value stack several times per wasm instruction,
// and g++ kept std::vector::push_back out of line there (its reallocating path inlined into it
// made it too large): 2.9% of large.wasm's compile was that call. Growth is out of line.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace strata::support {

template <class T>
class FlatStack {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  FlatStack() = default;
  ~FlatStack() { std::free(data_); }
  FlatStack(const FlatStack&) = delete;
  FlatStack& operator=(const FlatStack&) = delete;

  [[gnu::always_inline]] void push_back(const T& v) {
    if (size_ == cap_) [[unlikely]]
      grow(size_ + 1);
    data_[size_++] = v;
  }
  [[gnu::always_inline]] void pop_back() { --size_; }
  [[gnu::always_inline]] T& back() { return data_[size_ - 1]; }
  [[gnu::always_inline]] const T& back() const { return data_[size_ - 1]; }
  [[gnu::always_inline]] T& operator[](size_t i) { return data_[i]; }
  [[gnu::always_inline]] const T& operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }
  // Shrinks to `n`, or grows with value-initialized elements.
  void resize(size_t n) {
    if (n > cap_) grow(n);
    for (size_t i = size_; i < n; ++i) new (data_ + i) T{};
    size_ = n;
  }
  void swap(FlatStack& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  [[gnu::noinline]] void grow(size_t need) {
    size_t cap = cap_ ? cap_ * 2 : 64;
    while (cap < need) cap *= 2;
    void* p = std::realloc(data_, cap * sizeof(T));
    if (!p) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
    cap_ = cap;
  }

  T* data_ = nullptr;
  size_t size_ = 0, cap_ = 0;
};

}  // namespace strata::support
