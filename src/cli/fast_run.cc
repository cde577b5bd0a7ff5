// The fast reader of `strata run` lines (see fast_run.h).
#include "cli/fast_run.h"

#include <string_view>

namespace strata::cli {

std::optional<FastRunLine> parseFastRun(std::span<const char* const> argv) {
  if (argv.size() < 3 || std::string_view(argv[1]) != "run") return std::nullopt;
  FastRunLine line;
  bool tier = false;
  size_t i = 2;
  for (; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (a.empty() || a[0] != '-') break;  // FILE
    if (a == "--tier" && !tier && i + 1 < argv.size() && argv[i + 1][0] != '-' && argv[i + 1][0] != '\0') {
      line.tier = argv[++i];
      tier = true;
    } else if (a == "--allow-precompiled" && !line.allow_precompiled) {
      line.allow_precompiled = true;
    } else if (a == "--cache" && !line.cache) {
      line.cache = true;
    } else {
      return std::nullopt;  // any other option (or a repeated one): CLI11's
    }
  }
  if (i == argv.size() || argv[i][0] == '\0') return std::nullopt;  // no FILE: CLI11 reports it
  line.file = argv[i++];
  for (; i < argv.size(); ++i) {
    if (argv[i][0] == '-') return std::nullopt;
    line.args.emplace_back(argv[i]);
  }
  return line;
}

}  // namespace strata::cli
