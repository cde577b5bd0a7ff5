// libFuzzer entry: arbitrary bytes through decode + validate (or, with STRATA_FUZZ_TEXT, through
// the .wat parser + validate). Any crash, sanitizer report or hang is a finding; errors are fine.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "decode/decoder.h"
#include "text/text.h"
#include "validate/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::ir::Features features;  // everything the front end knows
#ifdef STRATA_FUZZ_TEXT
  auto m = strata::text::parseWat(std::string_view(reinterpret_cast<const char*>(data), size));
#else
  auto m = strata::decode::decodeModule(std::vector<uint8_t>(data, data + size), features);
#endif
  if (m) (void)strata::validate::validateModule(*m, features);
  return 0;
}
