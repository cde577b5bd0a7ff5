// Zydis, loaded when a listing first needs it. Linking libZydis (and through it libZycore) into
// the CLI made every `strata` process load two more shared libraries, a measurable part of the
// start-up that issue 10 bounds at 1 ms over a native no-op; only explore and objdump use them.
#pragma once

#include <Zydis/Zydis.h>

#include <string>

namespace strata::cli {

// The functions of Zydis and Zycore the listings call, with their own names and types.
#define STRATA_ZYDIS_FUNCTIONS(X)                                                                   \
  X(ZydisDecoderInit)                                                                               \
  X(ZydisDecoderDecodeFull)                                                                         \
  X(ZydisCalcAbsoluteAddress)                                                                       \
  X(ZydisFormatterInit)                                                                             \
  X(ZydisFormatterSetProperty)                                                                      \
  X(ZydisFormatterSetHook)                                                                          \
  X(ZydisFormatterFormatInstruction)                                                                \
  X(ZydisFormatterBufferAppend)                                                                     \
  X(ZydisFormatterBufferGetString)                                                                  \
  X(ZyanStringViewInsideBuffer)                                                                     \
  X(ZyanStringAppend)

struct ZydisApi {
#define STRATA_ZYDIS_MEMBER(name) decltype(&::name) name = nullptr;
  STRATA_ZYDIS_FUNCTIONS(STRATA_ZYDIS_MEMBER)
#undef STRATA_ZYDIS_MEMBER
};

// The loaded functions, or null with `error` set (the library or one of its symbols is missing);
// loaded once per process.
const ZydisApi* zydis(std::string* error = nullptr);

}  // namespace strata::cli
