// Path resolution that never leaves a preopened directory (the WASI sandbox), and an owning fd.
//
// Every guest path is resolved relative to a directory fd the guest holds. Resolution must stay
// beneath that directory whatever the path holds: an absolute path, `..` above the directory,
// or a symbolic link whose target (absolute, or relative with enough `..`) lies outside, all
// fail with Errno::NotCapable (the witx errno for "capabilities insufficient"; wasmtime answers
// EPERM, the wasi-testsuite accepts both). Checking a path first and using it afterwards would
// race with a guest (or anyone) swapping a component for a symlink in between, so resolution is
// done by the kernel relative to held fds:
//
//  - openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) (Linux >= 5.6) when the kernel has it:
//    the kernel refuses any step out of the directory (EXDEV) atomically with the open;
//  - otherwise a walk, one component at a time, each opened with O_PATH | O_NOFOLLOW relative
//    to the fd of its parent: `..` pops the stack of held fds (and fails at the bottom),
//    symlinks are read with readlinkat on the fd of the link itself and their targets are
//    spliced into the remaining components (at most 40 links, then ELOOP). A component swapped
//    for a symlink after it was inspected is opened with O_NOFOLLOW, so the swap can only make
//    an operation fail, never escape.
//
// Operations other than open (mkdir, unlink, rename, link, symlink, readlink, stat, utimes)
// resolve the *parent* of the final component beneath the directory and then call the *at()
// syscall on (parent fd, final name); the final name is never `..` (such paths are resolved as
// a whole) and those syscalls do not follow a final symlink.
#pragma once

#include <sys/types.h>

#include <expected>
#include <string>
#include <string_view>
#include <utility>

#include "wasi/abi.h"

namespace strata::wasi {

// An owned host file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

template <class T>
using WasiResult = std::expected<T, Errno>;

// Propagates the Errno of a WasiResult expression; yields its value otherwise. _TRY is for
// functions returning a WasiResult, _GET for host calls returning an Errno.
#define STRATA_WASI_TRY(expr)                                        \
  ({                                                                 \
    auto&& strata_wasi_r_ = (expr);                                  \
    if (!strata_wasi_r_) return std::unexpected(strata_wasi_r_.error()); \
    std::move(*strata_wasi_r_);                                      \
  })
#define STRATA_WASI_GET(expr)                                        \
  ({                                                                 \
    auto&& strata_wasi_r_ = (expr);                                  \
    if (!strata_wasi_r_) return strata_wasi_r_.error();              \
    std::move(*strata_wasi_r_);                                      \
  })

// Which resolver to use; Auto = openat2 when the running kernel has it, else the walk. Tests
// force each one.
enum class ResolveMode { Auto, Openat2, Walk };
void setResolveMode(ResolveMode mode);
bool kernelHasOpenat2();

// Checks a guest path before resolution: NoEnt when empty, Inval with a NUL byte, Ilseq when
// not UTF-8 (WASI paths are strings), NotCapable when absolute; Success otherwise.
Errno checkGuestPath(std::string_view path);

// Opens `path` beneath directory `dir` with open(2) `flags` (O_CLOEXEC is added) and `mode`
// (used with O_CREAT). `follow` = whether a symlink as the final component is followed
// (symlinks before it always are, beneath `dir`).
WasiResult<UniqueFd> openBeneath(int dir, std::string_view path, int flags, mode_t mode, bool follow);

// The parent directory of the final component of `path`, opened beneath `dir`, and that
// component. `name` has no slash; `must_be_dir` records trailing slashes (POSIX: the path
// names a directory). A final `.` or `..` gives the directory the whole path names and ".".
// With `follow`, a final symlink is resolved (walking beneath `dir`) to what it points to.
struct Resolved {
  UniqueFd owned;  // the parent when it is not `dir` itself
  int dir = -1;    // the parent to use with *at() calls
  std::string name;
  bool must_be_dir = false;
  // name, with a trailing slash when must_be_dir (for syscalls that then insist on a directory
  // and do not follow a final symlink: mkdir, unlink, rmdir, rename, symlink, link's target).
  std::string nameForKernel() const { return must_be_dir ? name + "/" : name; }
};
WasiResult<Resolved> resolveBeneath(int dir, std::string_view path, bool follow);

}  // namespace strata::wasi
