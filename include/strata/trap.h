// A trap as the API reports it: kind, spec-suite message and a wasm backtrace.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "support/error.h"
#include "vm/trap.h"

namespace strata {

using vm::TrapKind;

namespace runtime {
struct InstanceObj;
}

// One wasm frame, innermost first. Names come from the module's name section when present.
struct FrameInfo {
  uint32_t func_index = 0;
  uint32_t offset = 0;        // byte offset of the instruction in the module binary
  std::string module_name;    // empty when the module has no name
  std::string func_name;      // empty when the name section does not name the function
  uint32_t func_offset = 0;   // from the start of the function's code section entry
  // The ir::Module, to compare only: a trap may outlive the module (the store of a nested call).
  const void* module = nullptr;
  // The instance the function ran in, when the runtime could tell (see StoreImpl::takeTrap).
  runtime::InstanceObj* instance = nullptr;
};

class Trap {
 public:
  Trap() = default;
  explicit Trap(TrapKind kind, std::string message = {}, std::vector<FrameInfo> frames = {})
      : kind_(kind), message_(message.empty() ? vm::trapMessage(kind) : std::move(message)),
        frames_(std::move(frames)) {}
  // A trap raised by a host function (or an API misuse inside a call, e.g. wrong argument types).
  static Trap host(std::string message) { return Trap(TrapKind::Host, std::move(message)); }
  // The program asked to end with an exit status (WASI proc_exit): unwinds the guest like a
  // trap; embedders (e.g. `strata run`) exit with exitStatus() instead of reporting an error.
  static Trap exit(int32_t status, std::vector<FrameInfo> frames = {}) {
    Trap t(TrapKind::Exit, "Exited with i32 exit status " + std::to_string(status), std::move(frames));
    t.exit_status_ = status;
    return t;
  }
  bool isExit() const { return kind_ == TrapKind::Exit; }
  int32_t exitStatus() const { return exit_status_; }
  // A wasm exception no handler caught (kind UncaughtException); returned from a host callback,
  // it throws `exn` into the calling wasm (strata/exn.h builds these).
  static Trap uncaughtException(vm::VMException* exn, std::string message, std::vector<FrameInfo> frames = {}) {
    Trap t(TrapKind::UncaughtException, std::move(message), std::move(frames));
    t.exception_ = exn;
    return t;
  }
  // The exception of an UncaughtException trap, null for every other trap (Exn::fromTrap).
  vm::VMException* exceptionRaw() const { return exception_; }

  TrapKind kind() const { return kind_; }
  // The spec suite's wording ("integer divide by zero"), or the host's message.
  const std::string& message() const { return message_; }
  const std::vector<FrameInfo>& frames() const { return frames_; }

  // "message\nwasm backtrace:\n    0:   0x1f - fac!$fac\n..." (wasmtime's layout); just the
  // message when there are no frames.
  std::string toString() const;
  // An Error of kind Trap whose message is toString() (so it starts with the spec wording).
  Error toError() const { return Error{ErrorKind::Trap, kNoOffset, toString()}; }

 private:
  TrapKind kind_ = TrapKind::Host;
  std::string message_ = "host error";
  std::vector<FrameInfo> frames_;
  int32_t exit_status_ = 0;
  vm::VMException* exception_ = nullptr;
};

// What a call into wasm returns: the results or the trap that ended it.
template <class T = void>
using TrapResult = std::expected<T, Trap>;

}  // namespace strata
