// strata_difftest: runs one module on two (or more) tiers and compares what they did: every
// export's results or trap, the host-log calls, and the final exported memories and globals.
// Exit status: 0 agree, 1 a difference (printed), 2 usage or setup error, 3 skipped (a tier
// that does not exist, or a module the reference tier cannot compile or link).
#include <fmt/core.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "diff/record.h"
#include "diff/tier_run.h"
#include "tiers/tiers.h"

namespace {

using namespace strata;
using namespace strata::difftest;

constexpr int kAgree = 0, kMismatch = 1, kUsage = 2, kSkipped = 3;

constexpr const char* kUsageText =
    "usage: strata_difftest MODULE.wasm|MODULE.wat [--tiers A,B] [--calls N] [--seed S]\n"
    "                       [--fuel F] [--timeout SECONDS] [--frames] [--strict-nan] [--canonicalize-nans]\n"
    "                       [--perturb TIER] [-v]\n"
    "  --tiers A,B     tiers to compare, the first is the reference (default interp,baseline)\n"
    "  --calls N       calls per exported function, in N passes over the exports (default 2)\n"
    "  --seed S        seed of the argument values (default 1)\n"
    "  --fuel F        fuel per call (default 50000000); --timeout: wall clock per call (default 10)\n"
    "  --frames        also compare trap backtraces (function index and byte offset per frame)\n"
    "  --strict-nan    compare NaN payloads too\n"
    "  --canonicalize-nans  run every tier with NaN canonicalization (implies --strict-nan)\n"
    "  --perturb TIER  flip bit 0 of every i32 argument on TIER (to check that differences are found)\n"
    "  -v              print every event of every tier\n"
    "strata_difftest --list-tiers: the tiers this build has, one per line\n"
    "exit: 0 agree, 1 difference, 2 usage/setup error, 3 skipped\n";

struct Args {
  std::string file;
  std::vector<std::string> tiers = {"interp", "baseline"};
  RunOptions run;
  CompareOptions compare;
  std::string perturb;
  bool verbose = false;
};

template <class T>
bool parseNumber(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  }
  return out;
}

bool parseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view { return i + 1 < argc ? argv[++i] : std::string_view(); };
    uint64_t n = 0;
    if (arg == "-v" || arg == "--verbose") a.verbose = true;
    else if (arg == "--frames") a.compare.frames = true;
    else if (arg == "--strict-nan") a.compare.strict_nan = true;
    else if (arg == "--canonicalize-nans") a.run.canonicalize_nans = a.compare.strict_nan = true;
    else if (arg == "--tiers") a.tiers = split(value());
    else if (arg == "--perturb") a.perturb = value();
    else if (arg == "--calls" && parseNumber(value(), n) && n > 0 && n < 1000) a.run.rounds = uint32_t(n);
    else if (arg == "--seed" && parseNumber(value(), n)) a.run.seed = n;
    else if (arg == "--fuel" && parseNumber(value(), n) && n > 0) a.run.fuel = n;
    else if (arg == "--timeout" && parseNumber(value(), n) && n > 0) a.run.timeout = std::chrono::seconds(n);
    else if (!arg.starts_with("-") && a.file.empty()) a.file = arg;
    else {
      fmt::print(stderr, "strata_difftest: bad argument {}\n", arg);
      return false;
    }
  }
  return !a.file.empty() && a.tiers.size() >= 2;
}

bool readFile(const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

void printRecord(const TierRecord& r, bool frames) {
  fmt::print("== {}{}{}\n", r.tier, r.ran_by.empty() || r.ran_by == r.tier ? "" : " (ran as " + r.ran_by + ")",
             r.note.empty() ? "" : " (" + r.note + ")");
  if (!r.compile_error.empty()) fmt::print("  compile error: {}\n", r.compile_error);
  if (!r.link_error.empty()) fmt::print("  link error: {}\n", r.link_error);
  for (const Event& e : r.events) fmt::print("  {}\n", format(e, frames));
  if (r.cut) fmt::print("  cut: {}\n", r.cut_why);
  for (const auto& [name, bytes] : r.memories) fmt::print("  memory \"{}\": {} bytes\n", name, bytes.size());
  for (const auto& [name, v] : r.globals) fmt::print("  global \"{}\" = {}\n", name, format(v));
}

int run(const Args& a) {
  std::vector<uint8_t> bytes;
  if (!readFile(a.file, bytes)) {
    fmt::print(stderr, "strata_difftest: cannot read {}\n", a.file);
    return kUsage;
  }
  // Every tier must exist before anything runs (a tier still being written is a skip, not a failure).
  for (const std::string& tier : a.tiers) {
    if (auto e = Engine::create(configFor(tier, true)); !e) {
      bool unknown = e.error().message.starts_with("unknown tier");
      fmt::print(unknown ? stdout : stderr, "{}: {}\n", unknown ? "skipped" : "strata_difftest", e.error().message);
      return unknown ? kSkipped : kUsage;
    }
  }
  // --perturb TIER: the last tier of that name (the second one of "interp,interp").
  size_t perturbed = a.tiers.size();
  for (size_t k = 0; k < a.tiers.size(); ++k)
    if (a.tiers[k] == a.perturb) perturbed = k;
  std::vector<TierRecord> records;
  for (const std::string& tier : a.tiers) {
    RunOptions options = a.run;
    options.perturb = records.size() == perturbed;
    options.text = a.file.ends_with(".wat");
    if (!records.empty()) options.stop_before = records.front().cut;
    auto rec = runTier(tier, bytes, options);
    if (!rec) {
      fmt::print(stderr, "strata_difftest: {}: {}\n", tier, rec.error().message);
      return kUsage;
    }
    if (a.verbose) printRecord(*rec, a.compare.frames);
    records.push_back(std::move(*rec));
    const TierRecord& ref = records.front();
    if (records.size() == 1 && !(ref.compile_error.empty() && ref.link_error.empty())) {
      fmt::print("skipped: {} on the reference tier {}: {}\n", ref.compile_error.empty() ? "does not link" : "does not compile",
                 tier, ref.compile_error.empty() ? ref.link_error : ref.compile_error);
      return kSkipped;
    }
  }
  int status = kAgree;
  for (size_t k = 1; k < records.size(); ++k) {
    Comparison c = compare(records[0], records[k], a.compare);
    std::string notes = c.cut ? fmt::format(" cut=\"{}\"", c.cut_why) : "";
    // A tier that handed the module to another one was not tested by it: say so (fuzz_diff counts these apart).
    for (const TierRecord* r : {&records[0], &records[k]})
      if (!r->ran_by.empty() && r->ran_by != r->tier) notes += fmt::format(" fallback=\"{} ran as {}{}{}\"", r->tier, r->ran_by,
                             r->fallback_why.empty() ? "" : ": ", r->fallback_why);
    if (!c.equal) {
      fmt::print("MISMATCH {} vs {} in {}{}\n  {}\n", records[0].tier, records[k].tier, a.file, notes, c.difference);
      status = kMismatch;
      continue;
    }
    fmt::print("agree {} vs {}: calls={} events={} memories={} globals={}{}\n", records[0].tier, records[k].tier, c.calls,
               c.events, c.cut ? 0 : records[0].memories.size(), c.cut ? 0 : records[0].globals.size(), notes);
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  strata::tiers::registerAll();
  if (argc == 2 && std::string_view(argv[1]) == "--list-tiers") {
    for (const std::string& tier : Engine::tiers()) fmt::print("{}\n", tier);
    return kAgree;
  }
  Args args;
  if (!parseArgs(argc, argv, args)) {
    std::fputs(kUsageText, stderr);
    return kUsage;
  }
  return run(args);
}
