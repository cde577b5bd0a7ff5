// `strata objdump FILE`: section headers and contents, in the spirit of `wasm-objdump -h -x`;
// `--disassemble [--tier T]`: each defined function's code as the tier compiled it (x86-64 with
// the wasm offsets interleaved for machine-code tiers, the interpreter's bytecode otherwise).
#include <fmt/core.h>

#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/disasm.h"
#include "cli/objdump.h"
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
  bool disassemble = false;
  std::string tier;  // empty: Engine::defaultTier()
  FeatureOptions features;
};

int printDisassembly(ir::Module module, const ir::Features& features, const std::string& tier,
                     const std::string& base) {
  auto compiled = compileForListing(std::move(module), features, tier, /*validated=*/true);
  if (!compiled) return reportError(compiled.error());
  const ir::Module& m = compiled->ir();
  fmt::print("\n{}:\tfile format wasm 0x1\n\n", base);
  fmt::print("Code Disassembly (tier {}):\n\n", compiled->compiled().tierName());
  for (uint32_t f = m.num_imported_functions; f < m.functions.size(); ++f)
    fmt::print("{}\n", describeFunction(m, compiled->compiled(), f));
  return kExitOk;
}

int runObjdump(const ObjdumpOptions& opts, const ir::Features& features) {
  auto loaded = loadModule(opts.file, features, opts.disassemble ? Validate::Yes : Validate::No);
  if (!loaded) return reportError(loaded.error());
  // Of a text module, dump its encoding: every span a file offset of that encoding.
  auto decoded = withBinaryOffsets(std::move(*loaded), features);
  if (!decoded) return reportError(decoded.error());
  ir::Module module = std::move(*decoded);
  std::string base = opts.file.substr(opts.file.find_last_of('/') + 1);
  if (opts.disassemble)
    return printDisassembly(std::move(module), features, opts.tier.empty() ? Engine::defaultTier() : opts.tier, base);
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
  cmd->add_flag("-d,--disassemble", opts->disassemble, "Print each function's compiled code instead of the sections");
  cmd->add_option("--tier", opts->tier, "Tier that compiles for --disassemble (default: baseline where available)");
}

}  // namespace strata::cli
