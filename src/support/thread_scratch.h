// Working arrays that outlive the object using them: one set per thread and type, handed to
// one user at a time (a second, nested user gets its own). Compilers and validators keep their
// per-function stacks here: arrays rebuilt for every function and every module grew into fresh
// memory pages each time, and a page fault costs more than the code that fills the page (about
// 11 us on this project's virtual machines). The arrays are never shrunk; users clear them.
#pragma once

#include <memory>

namespace strata {

template <class T>
class ThreadScratch {
 public:
  ThreadScratch() {
    Slot& s = slot();
    if (!s.busy) {
      s.busy = true;
      ptr_ = &s.value;
    } else {
      own_ = std::make_unique<T>();
      ptr_ = own_.get();
    }
  }
  ~ThreadScratch() {
    if (!own_) slot().busy = false;
  }
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;

  T& get() const { return *ptr_; }

 private:
  struct Slot {
    T value;
    bool busy = false;
  };
  static Slot& slot() {
    thread_local Slot s;
    return s;
  }
  T* ptr_ = nullptr;
  std::unique_ptr<T> own_;
};

}  // namespace strata
