// Loading Zydis with dlopen (zydis_api.h). STRATA_ZYDIS_LIBRARY is the file the build compiled
// against (its structures are laid out by the headers of that version), by its real path.
#include "cli/zydis_api.h"

#include <dlfcn.h>

namespace strata::cli {

namespace {

struct Loaded {
  ZydisApi api;
  std::string error;
  bool ok = false;
};

Loaded load() {
  Loaded l;
  // Zydis's string helpers live in Zycore, which Debian's Zydis does not link against.
  void* lib = dlopen(STRATA_ZYDIS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  void* core = lib ? dlopen(STRATA_ZYCORE_LIBRARY, RTLD_NOW | RTLD_LOCAL) : nullptr;
  if (!core) {
    const char* why = dlerror();
    l.error = std::string("cannot load Zydis (the disassembler, Debian package libzydis-dev): ") + (why ? why : "");
    return l;
  }
#define STRATA_ZYDIS_LOAD(name)                                                                     \
  if (void* f = dlsym(lib, #name) ?: dlsym(core, #name))                                            \
    l.api.name = reinterpret_cast<decltype(l.api.name)>(f);                                         \
  else {                                                                                            \
    l.error = "Zydis lacks the function " #name;                                                    \
    return l;                                                                                       \
  }
  STRATA_ZYDIS_FUNCTIONS(STRATA_ZYDIS_LOAD)
#undef STRATA_ZYDIS_LOAD
  l.ok = true;
  return l;
}

}  // namespace

const ZydisApi* zydis(std::string* error) {
  static const Loaded loaded = load();
  if (!loaded.ok && error) *error = loaded.error;
  return loaded.ok ? &loaded.api : nullptr;
}

}  // namespace strata::cli
