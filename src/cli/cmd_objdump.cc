// `strata objdump FILE`: section headers and contents, in the spirit of `wasm-objdump -h -x`.
#include <fmt/core.h>

#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/objdump.h"
#include "decode/decoder.h"
#include "encode/encoder.h"
#include "support/byte_reader.h"

namespace strata::cli {

const char* sectionName(uint8_t id) {
  static constexpr const char* kNames[] = {"Custom", "Type", "Import",  "Function", "Table",     "Memory", "Global",
                                           "Export", "Start", "Elem", "Code",     "Data",      "DataCount", "Tag"};
  return id < std::size(kNames) ? kNames[id] : "Unknown";
}

void printSectionHeaders(std::span<const uint8_t> binary) {
  fmt::print("Sections:\n\n");
  ByteReader r(binary);
  if (!r.skip(8)) return;  // magic and version (spec 5.5.16)
  while (!r.atEnd()) {
    auto id = r.readU8();
    if (!id) return;
    auto size = r.readVarU32();
    if (!size || r.remaining() < *size) return;  // the module decoded, so this is unreachable
    uint64_t start = r.offset();
    ByteReader content(*r.readBytes(*size), start);
    std::string extra;
    if (*id == 0) {
      auto name = content.readName();
      extra = name ? fmt::format("\"{}\"", *name) : "<bad name>";
    } else if (*id == 8) {
      extra = fmt::format("start: {}", content.readVarU32().value_or(0));
    } else {
      extra = fmt::format("count: {}", content.readVarU32().value_or(0));
    }
    fmt::print("{:>9} start=0x{:08x} end=0x{:08x} (size=0x{:08x}) {}\n", sectionName(*id), start, start + *size,
               *size, extra);
  }
}

namespace {

struct ObjdumpOptions {
  std::string file;
  FeatureOptions features;
};

int runObjdump(const ObjdumpOptions& opts, const ir::Features& features) {
  auto loaded = loadModule(opts.file, features, /*validate=*/false);
  if (!loaded) return reportError(loaded.error());
  ir::Module module = std::move(loaded->module);
  if (loaded->from_text) {
    // Offsets of a text module mean nothing; dump its encoding, decoded again so that every
    // span is a file offset of that encoding.
    auto decoded = decode::decodeModule(encode::encodeModule(module), features);
    if (!decoded) return reportError(decoded.error());
    module = std::move(*decoded);
  }
  std::string base = opts.file.substr(opts.file.find_last_of('/') + 1);
  fmt::print("\n{}:\tfile format wasm 0x1\n\n", base);
  printSectionHeaders(module.bytes);
  fmt::print("\nSection Details:\n\n");
  printSectionDetails(module);
  return kExitOk;
}

}  // namespace

void addObjdumpCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ObjdumpOptions>();
  CLI::App* cmd =
      addCommand(app, "objdump", "Print the sections and contents of a module", exit_code, opts, runObjdump);
  cmd->add_option("FILE", opts->file, "Module (.wasm binary or .wat text)")->required();
}

}  // namespace strata::cli
