// Decode and validate throughput (MB/s) on every program of ../shared/bench: the front end must
// take a small fraction of a second per module. Run: build/release/bench/decode_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "validate/validator.h"

namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string sharedDir() {
  if (const char* env = std::getenv("STRATA_SHARED")) return env;
  return STRATA_SHARED_DIR;
}

void registerAll() {
  fs::path root = fs::path(sharedDir()) / "bench";
  std::vector<fs::path> files;
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.path().extension() == ".wasm") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::string name = p.parent_path().filename().string() + "/" + p.filename().string();
    auto bytes = std::make_shared<std::vector<uint8_t>>(readFile(p));
    benchmark::RegisterBenchmark(("decode/" + name).c_str(), [bytes](benchmark::State& st) {
      strata::ir::Features f;
      for (auto _ : st) {
        auto m = strata::decode::decodeModule(std::vector<uint8_t>(*bytes), f);
        if (!m) st.SkipWithError(m.error().message.c_str());
        benchmark::DoNotOptimize(m);
      }
      st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(bytes->size()));
    });
    benchmark::RegisterBenchmark(("decode+validate/" + name).c_str(), [bytes](benchmark::State& st) {
      strata::ir::Features f;
      for (auto _ : st) {
        auto m = strata::decode::decodeModule(std::vector<uint8_t>(*bytes), f);
        if (!m) { st.SkipWithError(m.error().message.c_str()); break; }
        auto v = strata::validate::validateModule(*m, f);
        if (!v) { st.SkipWithError(v.error().message.c_str()); break; }
      }
      st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(bytes->size()));
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  registerAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
