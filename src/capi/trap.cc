// Traps and frames (wasm.h): a trap is the runtime's Trap (message and wasm backtrace), shared
// by every copy of the handle.
#include "capi/capi_impl.h"
#include "strata.h"

namespace strata::capi {

wasm_trap_t* newTrap(wasm_store_t* store, Trap trap) {
  auto data = std::make_shared<TrapData>();
  data->trap = std::move(trap);
  return new wasm_trap_t(store, std::move(data));
}

}  // namespace strata::capi

using namespace strata::capi;

namespace {

wasm_frame_t* newFrame(wasm_store_t* store, const strata::FrameInfo& info) {
  auto* f = new wasm_frame_t{};
  f->func_index = info.func_index;
  f->module_offset = info.offset;
  f->func_offset = info.func_offset;
  // The frame's instance, when the runtime knows it and it lives in the trap's store.
  if (store && info.instance && &strata::Instance(info.instance).store() == &store->store) {
    f->instance = std::make_unique<wasm_instance_t>(store, strata::Instance(info.instance));
  }
  return f;
}

}  // namespace

extern "C" {

void wasm_frame_delete(wasm_frame_t* frame) { delete frame; }
wasm_frame_t* wasm_frame_copy(const wasm_frame_t* frame) {
  auto* f = new wasm_frame_t{frame->func_index, frame->func_offset, frame->module_offset, nullptr};
  if (frame->instance) f->instance.reset(static_cast<wasm_instance_t*>(frame->instance->clone()));
  return f;
}
// Borrowed: valid as long as the frame (wasm.h declares no `own` here).
wasm_instance_t* wasm_frame_instance(const wasm_frame_t* frame) { return frame->instance.get(); }
uint32_t wasm_frame_func_index(const wasm_frame_t* frame) { return frame->func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t* frame) { return frame->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t* frame) { return frame->module_offset; }

wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t* message) {
  std::string text = toString(message);
  // Messages usually carry their NUL terminator (wasm_name_new_from_string_nt).
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return newTrap(store, strata::Trap::host(std::move(text)));
}

void wasm_trap_message(const wasm_trap_t* trap, wasm_message_t* out) { newMessage(out, trap->data->trap.message()); }

wasm_frame_t* wasm_trap_origin(const wasm_trap_t* trap) {
  const auto& frames = trap->data->trap.frames();
  return frames.empty() ? nullptr : newFrame(trap->store, frames.front());
}

void wasm_trap_trace(const wasm_trap_t* trap, wasm_frame_vec_t* out) {
  const auto& frames = trap->data->trap.frames();
  wasm_frame_vec_new_uninitialized(out, frames.size());
  for (size_t i = 0; i < frames.size(); ++i) out->data[i] = newFrame(trap->store, frames[i]);
}

bool strata_trap_exit_status(const wasm_trap_t* trap, int32_t* status) {
  if (!trap->data->trap.isExit()) return false;
  if (status) *status = trap->data->trap.exitStatus();
  return true;
}

}  // extern "C"
