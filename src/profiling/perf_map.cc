// /tmp/perf-PID.map (the Linux source's tools/perf/Documentation/jit-interface.txt): a text line
// "START SIZE NAME" per function, START and SIZE in hex without 0x, appended as images are
// published. perf reads the file when it reports, so the lines of released images stay (perf
// cannot tell a reused address apart; jitdump, with timestamps, can).
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "profiling/install.h"
#include "profiling/profiling.h"
#include "profiling/symbols.h"

namespace strata::profiling {

namespace {

class PerfMap final : public vm::CodeListener {
 public:
  explicit PerfMap(std::FILE* file) : file_(file) {}
  void published(const vm::CodeImage& image) override {
    std::vector<CodeSymbol> symbols = imageSymbols(image);
    std::lock_guard lock(mutex_);
    for (const CodeSymbol& s : symbols) fmt::print(file_, "{:x} {:x} {}\n", s.start, s.size, s.name);
    // Flushed at once: the CLI ends with _Exit, and perf may read the file while we run.
    std::fflush(file_);
  }
  void released(const vm::CodeImage&) override {}

 private:
  std::mutex mutex_;
  std::FILE* file_;
};

Result<vm::CodeListener*> createPerfMap() {
  std::string path = fmt::format("/tmp/perf-{}.map", getpid());
  // Truncated: a file left by an earlier process with the same pid would name its code.
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return makeError(ErrorKind::Io, kNoOffset, fmt::format("{}: cannot create the perf map", path));
  return new PerfMap(f);  // lives until exit, as listeners must
}

}  // namespace

Result<void> enablePerfMap() { return installOnce([] { return createPerfMap(); }); }

}  // namespace strata::profiling
