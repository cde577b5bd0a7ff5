// Front-end and compile throughput (MB/s) on every program of ../shared/bench: decode, decode +
// validate, and decode + validate + compile on each tier (compile/<tier>/...). The compile
// figures count bytes of the code section only (issue 10's measure of a compiler's speed); the
// others the whole module. Run: build/release/bench/decode_bench [--benchmark_filter=compile/]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "strata/strata.h"
#include "tiers/tiers.h"
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

// Bytes of the code section (id 10), 0 if none.
size_t codeSectionBytes(const std::vector<uint8_t>& b) {
  size_t i = 8;
  auto leb = [&](size_t& at) {
    uint64_t r = 0;
    for (int shift = 0; at < b.size(); shift += 7) {
      uint8_t x = b[at++];
      r |= uint64_t(x & 0x7f) << shift;
      if (x < 0x80) break;
    }
    return r;
  };
  while (i < b.size()) {
    uint8_t id = b[i++];
    uint64_t n = leb(i);
    if (id == 10) return size_t(n);
    i += size_t(n);
  }
  return 0;
}

void registerAll() {
  strata::tiers::registerAll();
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
    for (const std::string& tier : strata::Engine::tiers()) {
      size_t code = codeSectionBytes(*bytes);
      benchmark::RegisterBenchmark(("compile/" + tier + "/" + name).c_str(), [bytes, tier, code](benchmark::State& st) {
        strata::Config config;
        config.tier = tier;
        auto engine = strata::Engine::create(config);
        if (!engine) {
          st.SkipWithError(engine.error().message.c_str());
          return;
        }
        for (auto _ : st) {
          auto m = strata::Module::fromBinary(*engine, *bytes);
          if (!m) { st.SkipWithError(m.error().message.c_str()); break; }
          benchmark::DoNotOptimize(m);
        }
        st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(code));
      });
    }
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
