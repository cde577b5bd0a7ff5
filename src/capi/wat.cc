// strata.h's strata_wat2wasm: the text format through the project's parser and encoder.
#include "capi/capi_impl.h"
#include "encode/encoder.h"
#include "strata.h"
#include "text/text.h"

using namespace strata::capi;

extern "C" bool strata_wat2wasm(const char* wat, size_t size, wasm_byte_vec_t* out, wasm_message_t* error_message) {
  auto module = strata::text::parseWat(std::string_view(wat, size));
  if (!module) {
    if (error_message) newMessage(error_message, module.error().describe());
    wasm_byte_vec_new_empty(out);
    return false;
  }
  std::vector<uint8_t> binary = strata::encode::encodeModule(*module);
  wasm_byte_vec_new(out, binary.size(), reinterpret_cast<const wasm_byte_t*>(binary.data()));
  return true;
}
