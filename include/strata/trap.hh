// The C++ API's traps: message, WASI exit status and the wasm backtrace, innermost frame first.
#pragma once

#include <cstdint>
#include <cstdio>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/types.hh"

namespace strata {
inline namespace api {

class Instance;

// One wasm frame of a backtrace.
class Frame {
 public:
  explicit Frame(wasm_frame_t* frame) : frame_(frame) {}

  uint32_t funcIndex() const { return wasm_frame_func_index(raw()); }
  // Byte offset of the instruction in the module binary, and from the start of the function.
  size_t moduleOffset() const { return wasm_frame_module_offset(raw()); }
  size_t funcOffset() const { return wasm_frame_func_offset(raw()); }
  // The instance the function ran in, when the runtime can tell (defined in strata/instance.hh).
  std::optional<Instance> instance() const;

  wasm_frame_t* raw() const { return frame_.get(); }

 private:
  detail::Copyable<wasm_frame_t, wasm_frame_delete, wasm_frame_copy> frame_;
};

// A trap: what a call into wasm ends with instead of results, and what a host function returns
// to make the call trap. A trap a host function makes from a message gets its store (and its
// wasm frames) when it reaches the C API.
class Trap {
 public:
  explicit Trap(std::string message) : message_(std::move(message)) {}
  explicit Trap(wasm_trap_t* trap) : trap_(trap) {
    detail::ByteVec message;
    wasm_trap_message(trap, &message.vec);
    message_ = detail::toString(message.vec);
  }

  // The spec suite's wording ("integer divide by zero", "unreachable") or the host's message.
  const std::string& message() const { return message_; }
  // Innermost first; empty for a trap not (yet) raised in wasm.
  std::vector<Frame> trace() const {
    std::vector<Frame> out;
    if (!trap_) return out;
    detail::OutVec<wasm_frame_vec_t, wasm_frame_vec_delete> frames;
    wasm_trap_trace(raw(), &frames.vec);
    for (size_t i = 0; i < frames.size(); ++i) out.emplace_back(wasm_frame_copy(frames[i]));
    return out;
  }
  // The status a WASI program gave proc_exit, when this "trap" is that.
  std::optional<int32_t> exitStatus() const {
    int32_t status = 0;
    if (trap_ && strata_trap_exit_status(raw(), &status)) return status;
    return std::nullopt;
  }
  // "message\nwasm backtrace:\n    0: 0x2a - <wasm function 1>\n..." (the message alone
  // without frames).
  std::string toString() const {
    std::string out = message_;
    std::vector<Frame> frames = trace();
    if (!frames.empty()) out += "\nwasm backtrace:";
    for (size_t i = 0; i < frames.size(); ++i) {
      char line[96];
      std::snprintf(line, sizeof line, "\n  %3zu: %#8zx - <wasm function %u>", i, frames[i].moduleOffset(),
                    frames[i].funcIndex());
      out += line;
    }
    return out;
  }

  // The C API's trap (null for one made from a message); toC hands it over, making one in
  // `store` from the message when needed.
  wasm_trap_t* raw() const { return trap_.get(); }
  wasm_trap_t* toC(wasm_store_t* store) {
    if (trap_) return trap_.release();
    wasm_byte_vec_t message;
    wasm_name_new_from_string_nt(&message, message_.c_str());
    wasm_trap_t* trap = wasm_trap_new(store, &message);
    wasm_byte_vec_delete(&message);
    return trap;
  }

 private:
  std::string message_;
  detail::Copyable<wasm_trap_t, wasm_trap_delete, wasm_trap_copy> trap_;
};

// What a call into wasm gives: its results or the trap that ended it.
template <class T = void>
using TrapResult = std::expected<T, Trap>;

}  // namespace api
}  // namespace strata
