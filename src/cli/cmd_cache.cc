// `strata cache stats|clear [--cache-dir DIR]`: what the on-disk code cache (docs/artifacts.md,
// "The cache") holds, and emptying it. DIR defaults to the directory `run --cache` uses.
#include <fmt/core.h>

#include <memory>
#include <string>

#include "cli/cmd_run_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "runtime/code_cache.h"

namespace strata::cli {

void addCacheCommand(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("cache", "Show (stats) or empty (clear) the on-disk code cache of run --cache");
  cmd->require_subcommand(1);
  CLI::App* stats = cmd->add_subcommand("stats", "Print the cache's directory, number of entries and total bytes");
  CLI::App* clear = cmd->add_subcommand("clear", "Delete every entry of the cache");
  for (CLI::App* sub : {stats, clear})
    sub->add_option("--cache-dir", *dir, "The cache's directory (default $XDG_CACHE_HOME/strata or ~/.cache/strata)");
  auto resolved = [dir] { return dir->empty() ? defaultCacheDir() : *dir; };
  stats->callback([resolved, &exit_code] {
    std::string d = resolved();
    runtime::CacheStats s = runtime::cacheStats(d);
    fmt::print("directory {}\nentries {}\nbytes {}\n", d, s.entries, s.bytes);
    exit_code = kExitOk;
  });
  clear->callback([resolved, &exit_code] {
    std::string d = resolved();
    fmt::print("removed {} entries from {}\n", runtime::cacheClear(d), d);
    exit_code = kExitOk;
  });
}

}  // namespace strata::cli
